using DeepNotes;
using static DeepNotes.Ops;

namespace DeepNotes.Models;

/// <summary>
/// An undercomplete autoencoder for 28×28 digits: the encoder squeezes the 784 pixels through
/// 256 and 64 ReLU units into a 32-number code, the decoder mirrors it back out to 784 sigmoid
/// pixels (digits are in [0, 1]), and the loss is the mean squared error against the input itself.
/// The code is linear (no ReLU), as in PCA, so no code unit can die; with 32 numbers for 784 pixels
/// the network has to learn what digits have in common rather than copy them.
/// </summary>
/// <remarks>
/// A regressor whose target is its own input: pass the same images as input and targets
/// (<c>TrainStep(images, images, batch, ref sgd)</c>); <see cref="TargetSize"/> is 784.
/// </remarks>
[Model]
public sealed partial class AutoEncoder
{
    [Linear(784, 256)] private partial Tensor Encoder1(Tensor x);
    [Linear(256, 64)] private partial Tensor Encoder2(Tensor x);
    [Linear(64, 32)] private partial Tensor Code(Tensor x);
    [Linear(32, 64)] private partial Tensor Decoder1(Tensor x);
    [Linear(64, 256)] private partial Tensor Decoder2(Tensor x);
    [Linear(256, 784)] private partial Tensor Pixels(Tensor x);

    [Forward]
    private Tensor Forward([Shape(1, 28, 28)] Tensor image)
    {
        var h = Relu(Encoder2(Relu(Encoder1(Flatten(image)))));
        var code = Code(h);
        h = Relu(Decoder2(Relu(Decoder1(code))));
        return Sigmoid(Pixels(h));
    }

    [Loss]
    private Tensor Loss(Tensor reconstruction, [Shape(784)] Tensor image) => Mse(reconstruction, image);
}
