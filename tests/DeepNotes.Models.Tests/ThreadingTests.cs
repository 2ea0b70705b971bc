namespace DeepNotes.Models.Tests;

/// <summary>Changes the process-wide thread count, so it runs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ThreadCountCollection
{
    public const string Name = "ThreadCount";
}

/// <summary>Split kernels compute every element as one thread would: training gives the same bits with 1 or 2 threads.</summary>
[Collection(ThreadCountCollection.Name)]
public class ThreadingTests
{
    private static float[] Train<T>(int threads, int steps) where T : IClassifier, IModelFactory<T>
    {
        int saved = Parallelism.ThreadCount;
        Parallelism.ThreadCount = threads;
        try
        {
            const int batch = 64;
            T model = T.Create(batch, 7);
            var sgd = new Sgd(0.05f, momentum: 0.9f);
            ImageDataset data = TestData.Train;
            int features = model.InputLength;
            for (int s = 0; s < steps; s++)
            {
                int first = s * batch;
                float loss = model.TrainStep(data.Features.Slice(first * features, batch * features), data.Labels.Slice(first, batch), batch, ref sgd);
                Assert.True(float.IsFinite(loss));
            }
            return model.Parameters.ToArray();
        }
        finally
        {
            Parallelism.ThreadCount = saved;
        }
    }

    [Fact]
    public void LeNet5TrainsToTheSameBitsOnOneAndTwoThreads()
    {
        float[] one = Train<LeNet5>(1, 5), two = Train<LeNet5>(2, 5);
        Assert.True(one.AsSpan().SequenceEqual(two));
        Assert.False(one.AsSpan().SequenceEqual(LeNet5.Create(64, 7).Parameters), "training moved no parameter");
    }

    [Fact]
    public void Mlp256x128TrainsToTheSameBitsOnOneAndThreeThreads()
    {
        float[] one = Train<Mlp256x128>(1, 5), three = Train<Mlp256x128>(3, 5);
        Assert.True(one.AsSpan().SequenceEqual(three));
    }
}
