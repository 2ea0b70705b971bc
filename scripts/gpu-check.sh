#!/usr/bin/env bash
# The GPU device check: every model's GPU plan against its CPU code on the real device, then the benchmark
# workloads (mlp, lenet, AlexNet at batch 128, attention) as ms per step and examples/s with the CPU beside them.
#
# Two halves, because the GPU machine has the CUDA driver but no .NET SDK:
#   scripts/gpu-check.sh build   here: publishes deepnotes-gpu self-contained (the .NET runtime inside) into
#                                .gpu-bin/ (git-ignored), small enough to carry to the GPU machine
#   scripts/gpu-check.sh run     there, from the repository root with .gpu-bin carried: `check` then `bench`
#                                on CUDA, output also written to $OUT (or ./gpu-check.log) for the record.
# With the device tool: build here, then run(command="bash scripts/gpu-check.sh run", carry=[".gpu-bin"],
# timeout_s=420). The run half takes under 5 minutes on one H200 (kernels compile once per process).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.gpu-bin

case "${1:-}" in
  build)
    rm -rf "$bin"
    dotnet publish src/DeepNotes.Gpu.Cli -c Release -r linux-x64 --self-contained true \
      -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
      -o "$bin"
    du -sh "$bin"
    ;;
  run)
    [ -x "$bin/deepnotes-gpu" ] || { echo "gpu-check: $bin/deepnotes-gpu is missing: run 'scripts/gpu-check.sh build' first and carry $bin" >&2; exit 2; }
    log="${OUT:-.}/gpu-check.log"
    export DOTNET_CLI_TELEMETRY_OPTOUT=1
    {
      echo "# $(date -u +%FT%TZ) $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')"
      timeout 150 "$bin/deepnotes-gpu" check --device cuda
      timeout 240 "$bin/deepnotes-gpu" bench --device cuda --steps 20
    } 2>&1 | tee "$log"
    exit "${PIPESTATUS[0]}"
    ;;
  *)
    echo "usage: scripts/gpu-check.sh build|run" >&2
    exit 2
    ;;
esac
