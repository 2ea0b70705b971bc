#!/usr/bin/env bash
# The GPU device check: the GPU test suite on the real device (every kernel against its CPU twin, every model's
# GPU plan against its CPU code), `deepnotes-gpu check`, then the benchmark workloads (mlp, lenet, AlexNet at
# batch 128, attention) as ms per step and examples/s with the CPU beside them.
#
# Two halves, because the GPU machine has the CUDA driver but no .NET at all:
#   scripts/gpu-check.sh build   here: builds tests/DeepNotes.Gpu.Tests (which carries deepnotes-gpu) and packs its
#                                output, xUnit's console runner 2.4.1 and this machine's .NET runtime (no SDK) into
#                                .gpu-bin/bundle.tar.gz (git-ignored, about 38 MB: gzip, which every machine has), small enough to carry
#   scripts/gpu-check.sh run     there, from the repository root with .gpu-bin carried: unpacks the bundle under
#                                .gpu-bin/ (inside the repository, where the tests find data/), then runs the tests
#                                with DEEPNOTES_GPU_TESTS=cuda, `check` and `bench` on CUDA; the output is also
#                                written to $OUT (or .) as gpu-check.log and the tests' results as gpu-tests.xml.
# With the device tool: build here, then run(command="bash scripts/gpu-check.sh run", carry=[".gpu-bin"],
# timeout_s=420). The run half is bounded at 5 minutes by its timeouts (tests 130 s, check 70 s, bench 100 s: sized
# before any run on a GPU; a step that times out fails the check and keeps what it printed).
# GPU_CHECK_DEVICE=cpu runs the run half on ILGPU's CPU accelerator instead (a rehearsal on a machine without a
# GPU; the bench is then cut to one small workload).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.gpu-bin

case "${1:-}" in
  build)
    rm -rf "$bin"
    dotnet build tests/DeepNotes.Gpu.Tests -c Release
    stage="$bin/stage"
    mkdir -p "$stage/tests" "$stage/xunit" "$stage/dotnet/shared"
    cp -r tests/DeepNotes.Gpu.Tests/bin/Release/net10.0/. "$stage/tests/"
    # xUnit's console runner: fetched through NuGet (PackageDownload), the netcoreapp2.0 build runs on .NET 10 with roll-forward.
    dotnet restore scripts/gpu-check-runner.proj >/dev/null
    runner="${NUGET_PACKAGES:-$HOME/.nuget/packages}/xunit.runner.console/2.4.1/tools/netcoreapp2.0"
    cp -r "$runner/." "$stage/xunit/"
    # The .NET runtime the tests target (the muxer, the host resolver, Microsoft.NETCore.App), not the SDK.
    root="$(dirname "$(readlink -f "$(command -v dotnet)")")"
    version="$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')"
    [ -n "$version" ] && [ -d "$root/shared/Microsoft.NETCore.App/$version" ] \
      || { echo "gpu-check: no Microsoft.NETCore.App runtime found under $root" >&2; exit 1; }
    cp "$root/dotnet" "$stage/dotnet/"
    cp -r "$root/host" "$stage/dotnet/"
    mkdir -p "$stage/dotnet/shared/Microsoft.NETCore.App"
    cp -r "$root/shared/Microsoft.NETCore.App/$version" "$stage/dotnet/shared/Microsoft.NETCore.App/"
    tar -czf "$bin/bundle.tar.gz" -C "$stage" .
    rm -rf "$stage"
    echo "gpu-check: $(du -h "$bin/bundle.tar.gz" | cut -f1) bundle with .NET $version"
    ;;
  run)
    [ -f "$bin/bundle.tar.gz" ] || { echo "gpu-check: $bin/bundle.tar.gz is missing: run 'scripts/gpu-check.sh build' first and carry $bin" >&2; exit 2; }
    rm -rf "$bin/x" && mkdir -p "$bin/x" && tar -xzf "$bin/bundle.tar.gz" -C "$bin/x"
    x="$(pwd)/$bin/x"
    export DOTNET_ROOT="$x/dotnet" DOTNET_ROLL_FORWARD=Major DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
    dotnet="$x/dotnet/dotnet"
    out="${OUT:-.}"
    device=cuda
    if [ "${GPU_CHECK_DEVICE:-cuda}" = cpu ]; then device=cpu; else export DEEPNOTES_GPU_TESTS=cuda; fi
    status=0
    {
      echo "# $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi'); device $device"
      echo "## the GPU tests (DEEPNOTES_GPU_TESTS=${DEEPNOTES_GPU_TESTS:-unset})"
      timeout 130 "$dotnet" "$x/xunit/xunit.console.dll" "$x/tests/DeepNotes.Gpu.Tests.dll" -nocolor -xml "$out/gpu-tests.xml" || status=1
      echo "## deepnotes-gpu check"
      timeout 70 "$dotnet" "$x/tests/deepnotes-gpu.dll" check --device "$device" || status=1
      echo "## deepnotes-gpu bench"
      if [ "$device" = cuda ]; then
        timeout 100 "$dotnet" "$x/tests/deepnotes-gpu.dll" bench --device cuda --steps 20 || status=1
      else
        timeout 90 "$dotnet" "$x/tests/deepnotes-gpu.dll" bench --device cpu --workload mlp --batch 8 --steps 1 --cpu-steps 1 || status=1
      fi
      echo "# gpu-check: exit $status"
      exit "$status"
    } 2>&1 | tee "$out/gpu-check.log"
    exit "${PIPESTATUS[0]}"
    ;;
  *)
    echo "usage: scripts/gpu-check.sh build|run" >&2
    exit 2
    ;;
esac
