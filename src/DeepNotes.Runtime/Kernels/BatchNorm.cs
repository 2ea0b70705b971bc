namespace DeepNotes.Kernels;

// Interim naive kernels (replaced by the tuned implementation).
public static class BatchNorm
{
    public static void TrainForward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> runningMean, Span<float> runningVar, Span<float> saveMean, Span<float> saveInvStd,
        int batch, int channels, int spatial, float momentum, float epsilon, bool updateRunningStats)
    {
        int n = batch * spatial;
        for (int c = 0; c < channels; c++)
        {
            double sum = 0, sq = 0;
            for (int b = 0; b < batch; b++)
                for (int i = 0; i < spatial; i++) { double v = x[(b * channels + c) * spatial + i]; sum += v; sq += v * v; }
            double mean = sum / n, variance = Math.Max(sq / n - mean * mean, 0);
            float inv = (float)(1 / Math.Sqrt(variance + epsilon));
            saveMean[c] = (float)mean; saveInvStd[c] = inv;
            if (updateRunningStats)
            {
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * (float)mean;
                runningVar[c] = (1 - momentum) * runningVar[c] + momentum * (float)(n > 1 ? variance * n / (n - 1) : variance);
            }
            for (int b = 0; b < batch; b++)
                for (int i = 0; i < spatial; i++)
                {
                    int k = (b * channels + c) * spatial + i;
                    y[k] = gamma[c] * (x[k] - (float)mean) * inv + beta[c];
                }
        }
    }

    public static void InferForward(Span<float> y, ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> runningMean, ReadOnlySpan<float> runningVar, int batch, int channels, int spatial, float epsilon)
    {
        for (int c = 0; c < channels; c++)
        {
            float inv = 1f / MathF.Sqrt(runningVar[c] + epsilon);
            for (int b = 0; b < batch; b++)
                for (int i = 0; i < spatial; i++)
                {
                    int k = (b * channels + c) * spatial + i;
                    y[k] = gamma[c] * (x[k] - runningMean[c]) * inv + beta[c];
                }
        }
    }

    public static void Backward(Span<float> dx, Span<float> dgamma, Span<float> dbeta, ReadOnlySpan<float> dy, ReadOnlySpan<float> x,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> saveMean, ReadOnlySpan<float> saveInvStd, int batch, int channels, int spatial)
    {
        int n = batch * spatial;
        for (int c = 0; c < channels; c++)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int b = 0; b < batch; b++)
                for (int i = 0; i < spatial; i++)
                {
                    int k = (b * channels + c) * spatial + i;
                    double xhat = (x[k] - saveMean[c]) * saveInvStd[c];
                    sumDy += dy[k]; sumDyXhat += dy[k] * xhat;
                }
            dgamma[c] += (float)sumDyXhat; dbeta[c] += (float)sumDy;
            for (int b = 0; b < batch; b++)
                for (int i = 0; i < spatial; i++)
                {
                    int k = (b * channels + c) * spatial + i;
                    double xhat = (x[k] - saveMean[c]) * saveInvStd[c];
                    dx[k] = (float)(gamma[c] * saveInvStd[c] / n * (n * dy[k] - sumDy - xhat * sumDyXhat));
                }
        }
    }
}
