using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// High-dimensional linear regression of d2l 3.7 (weight decay): 200 inputs, one output, weights
/// drawn from N(0, 1), squared loss. With 20 training examples it overfits unless decayed.
/// </summary>
[Model]
public sealed partial class LinearRegression
{
    [Linear(200, 1, Init = Init.Normal, Std = 1f)] private partial Tensor Net(Tensor x);

    [Forward]
    private Tensor Forward([Shape(200)] Tensor x) => Net(x);

    [Loss]
    private Tensor Loss(Tensor prediction, [Shape(1)] Tensor target) => Mse(prediction, target);
}
