namespace DeepNotes.Cli;

/// <summary>The per-example shape of a model's image input, channels × height × width.</summary>
internal readonly record struct ImageShape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;

    public override string ToString() => $"[{Channels}, {Height}, {Width}]";
}

/// <summary>
/// Fits batches of data images to a model that takes images of another height and width (AlexNet's
/// 1×224×224 from 28×28 Fashion-MNIST): each batch is resized bilinearly (<see cref="Resize.Bilinear"/>,
/// as PyTorch's <c>interpolate</c>) into a buffer allocated once, in the constructor, for
/// <c>maxBatch</c> rows. Without a resize (<see cref="Resizes"/> false) the input passes through untouched.
/// </summary>
internal sealed class InputResizer
{
    private readonly float[] _buffer;
    private readonly int _channels, _height, _width, _newHeight, _newWidth;

    /// <param name="data">The images' own size, channels × rows × cols.</param>
    /// <param name="model">What the model takes; null (a flat input) means no resize.</param>
    /// <param name="maxBatch">The most rows one call passes.</param>
    public InputResizer(ImageShape data, ImageShape? model, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        _channels = data.Channels;
        _height = data.Height;
        _width = data.Width;
        if (model is { } m && (m.Height != data.Height || m.Width != data.Width))
        {
            if (m.Channels != data.Channels)
                throw new ArgumentException($"the model takes {m.Channels}-channel images {m}, the data has {data.Channels} channel(s)", nameof(model));
            Resizes = true;
            _newHeight = m.Height;
            _newWidth = m.Width;
            _buffer = new float[(long)maxBatch * m.Size];
        }
        else
        {
            _buffer = [];
        }
        MaxBatch = maxBatch;
    }

    /// <summary>Whether batches are resized (the model's height or width differs from the data's).</summary>
    public bool Resizes { get; }

    public int MaxBatch { get; }

    /// <summary>The buffer the resized batches are written to (empty without a resize); for tests.</summary>
    internal ReadOnlySpan<float> Buffer => _buffer;

    /// <summary>
    /// <paramref name="input"/> ([batch, C, H, W] of the data) as the model takes it: resized into the
    /// buffer, or <paramref name="input"/> itself when no resize is needed.
    /// </summary>
    public ReadOnlySpan<float> Fit(ReadOnlySpan<float> input, int batch)
    {
        if (!Resizes) return input;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        Span<float> resized = _buffer.AsSpan(0, batch * _channels * _newHeight * _newWidth);
        Resize.Bilinear(resized, input, batch, _channels, _height, _width, _newHeight, _newWidth);
        return resized;
    }
}
