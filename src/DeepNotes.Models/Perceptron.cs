using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// A single layer of sigmoid units, one per class, fitted by least squares to one-hot targets:
/// the perceptron of the notes with a differentiable threshold.
/// </summary>
[Model]
public sealed partial class Perceptron
{
    [Linear(784, 10)] private partial Tensor Units(Tensor x);

    [Forward]
    private Tensor Forward([Shape(784)] Tensor pixels) => Sigmoid(Units(pixels));

    [Loss]
    private Tensor Loss(Tensor probabilities, [Shape(10)] Tensor oneHot) => Mse(probabilities, oneHot);
}
