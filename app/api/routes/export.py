"""Network exports: a short runnable NumPy or PyTorch script that rebuilds a network with its exact weights
and prints what the trace shows: outputs, loss, gradients and the parameters after one SGD step. The NumPy
script writes the backward pass out by hand; the PyTorch one lets autograd do it."""

from __future__ import annotations

import itertools
import json

from fastapi import APIRouter
from fastapi.responses import Response

from app.api.body import JsonBodyRoute
from app.api.dependencies import SettingsDep
from app.api.schemas.common import ERROR_RESPONSES
from app.api.schemas.export import ExportRequest, ExportResponse
from app.api.validation import build_network, check_batch
from app.api.wire import json_response
from app.nn.mlp import MLP

router = APIRouter(prefix="/network", tags=["network"], route_class=JsonBodyRoute)

NUMPY_ACTIVATIONS = {
    "identity": "lambda z: z",
    "tanh": "np.tanh",
    "sigmoid": "lambda z: 1.0 / (1.0 + np.exp(-z))",
    "relu": "lambda z: np.maximum(z, 0.0)",
    "leaky_relu": "lambda z: np.where(z > 0, z, 0.01 * z)",
}
NUMPY_LOSSES = {
    "mse": "np.mean((output - y) ** 2)",
    # PyTorch clamps log(p) at −100 so that p = 0 or 1 gives a finite loss; so do we.
    "bce": "-np.mean(y * np.maximum(np.log(output), -100) + (1 - y) * np.maximum(np.log(1 - output), -100))",
    "cross_entropy": "-np.mean(np.sum(y * log_softmax(output), axis=1))",
}
TORCH_ACTIVATIONS = {
    "identity": "nn.Identity()",
    "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
}
TORCH_LOSSES = {
    "mse": "F.mse_loss(output, y)",
    "bce": "F.binary_cross_entropy(output, y)",
    "cross_entropy": "F.cross_entropy(output, y)  # logits against class probabilities (one-hot)",
}
LOSS_NAMES = {"mse": "mean squared error", "bce": "binary cross-entropy", "cross_entropy": "softmax cross-entropy"}


def _literal(value: object) -> str:
    """Exact Python literal of nested lists of floats (repr round-trips every float)."""
    return json.dumps(value)


def _summary(mlp: MLP, loss: str) -> str:
    shape = " → ".join(str(n) for n in mlp.sizes)
    return f"{shape} network ({', '.join(mlp.activations)}), {LOSS_NAMES[loss]} loss"


NUMPY_DERIVATIVES = {
    "identity": "lambda z, a: np.ones_like(z)",
    "tanh": "lambda z, a: 1.0 - a**2",
    "sigmoid": "lambda z, a: a * (1.0 - a)",
    "relu": "lambda z, a: (z > 0).astype(float)",
    "leaky_relu": "lambda z, a: np.where(z > 0, 1.0, 0.01)",
}
NUMPY_LOSS_GRADIENTS = {
    "mse": ("2 (ŷ − y) / N, N = every element of ŷ", "2.0 * (output - y) / output.size"),
    # the engine's (and PyTorch's) guard against dividing by p(1 − p) = 0
    "bce": (
        "(ŷ − y) / (ŷ (1 − ŷ)) / N, N = every element of ŷ",
        "(output - y) / np.maximum(output * (1.0 - output), 1e-12) / output.size",
    ),
    "cross_entropy": (
        "(softmax(ŷ) − y) / batch, for rows of y that sum to 1",
        "(np.exp(log_softmax(output)) * y.sum(axis=1, keepdims=True) - y) / len(output)",
    ),
}


def numpy_script(mlp: MLP, inputs: list, targets: list, loss: str, learning_rate: float) -> str:
    weights = _literal([w.data.tolist() for w in mlp.weights])
    biases = _literal([b.data.tolist() for b in mlp.biases])
    used = dict.fromkeys(mlp.activations)
    table = "\n".join(f'    "{name}": {NUMPY_ACTIVATIONS[name]},' for name in used)
    derivatives = "\n".join(f'    "{name}": {NUMPY_DERIVATIVES[name]},' for name in used)
    loss_gradient_maths, loss_gradient = NUMPY_LOSS_GRADIENTS[loss]
    helper = ""
    if loss == "cross_entropy":
        helper = (
            "\n\ndef log_softmax(z):\n"
            "    shifted = z - z.max(axis=1, keepdims=True)\n"
            "    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
        )
    return f'''"""Backprop Lab export: a {_summary(mlp, loss)}.

Rebuilds the network with its exact weights, then does by hand what the step player shows: the forward
pass, the loss, the backward pass layer by layer (δ = ∂L/∂z, ∂L/∂W = δᵀ a) and one step of gradient
descent. Prints the outputs, the loss, every gradient and the updated parameters. Needs NumPy.
"""

import json

import numpy as np

# One weight matrix [out][in] (like torch.nn.Linear) and one bias vector per connection.
weights = [np.array(w) for w in {weights}]
biases = [np.array(b) for b in {biases}]
activations = {_literal(mlp.activations)}
learning_rate = {learning_rate!r}  # η
ACTIVATIONS = {{
{table}
}}
# f′(z) of each activation, written with z or with a = f(z), whichever is simpler
DERIVATIVES = {{
{derivatives}
}}

x = np.array({_literal(inputs)})  # [batch][in]
y = np.array({_literal(targets)})  # [batch][out]
{helper}

# Forward pass: keep every layer's z and a, the backward pass needs them.
a_layers = [x]
z_layers = []
for w, b, name in zip(weights, biases, activations):
    z = a_layers[-1] @ w.T + b  # z = a·Wᵀ + b
    z_layers.append(z)
    a_layers.append(ACTIVATIONS[name](z))  # a = f(z)
output = a_layers[-1]
loss = {NUMPY_LOSSES[loss]}

# Backward pass, from the loss to the first layer.
# ∂L/∂ŷ = {loss_gradient_maths}
grad_a = {loss_gradient}
grad_weights = [None] * len(weights)
grad_biases = [None] * len(biases)
for layer in reversed(range(len(weights))):
    delta = grad_a * DERIVATIVES[activations[layer]](z_layers[layer], a_layers[layer + 1])  # δ = ∂L/∂a ⊙ f′(z)
    grad_weights[layer] = delta.T @ a_layers[layer]  # ∂L/∂W = δᵀ a_prev, summed over the batch
    grad_biases[layer] = delta.sum(axis=0)  # ∂L/∂b = Σ δ over the batch
    grad_a = delta @ weights[layer]  # ∂L/∂a_prev = δ W, the upstream gradient of the layer before

# One step of gradient descent: p ← p − η ∂L/∂p.
updated_weights = [w - learning_rate * g for w, g in zip(weights, grad_weights)]
updated_biases = [b - learning_rate * g for b, g in zip(biases, grad_biases)]

print("outputs", json.dumps(output.tolist()))
print("loss", repr(float(loss)))
for i in range(len(weights)):
    print(f"grad_weight {{i + 1}}", json.dumps(grad_weights[i].tolist()))
    print(f"grad_bias {{i + 1}}", json.dumps(grad_biases[i].tolist()))
    print(f"updated_weight {{i + 1}}", json.dumps(updated_weights[i].tolist()))
    print(f"updated_bias {{i + 1}}", json.dumps(updated_biases[i].tolist()))
'''


def pytorch_script(mlp: MLP, inputs: list, targets: list, loss: str, learning_rate: float) -> str:
    modules = []
    for (fan_in, fan_out), activation in zip(itertools.pairwise(mlp.sizes), mlp.activations, strict=True):
        modules += [f"nn.Linear({fan_in}, {fan_out})", TORCH_ACTIVATIONS[activation]]
    body = ",\n    ".join(modules)
    weights = _literal([w.data.tolist() for w in mlp.weights])
    biases = _literal([b.data.tolist() for b in mlp.biases])
    return f'''"""Backprop Lab export: a {_summary(mlp, loss)}.

Rebuilds the network in PyTorch with its exact weights, runs one forward and backward pass and prints
the outputs, the loss and every weight gradient. Needs PyTorch.
"""

import json

import torch
import torch.nn.functional as F
from torch import nn

torch.set_default_dtype(torch.float64)

model = nn.Sequential(
    {body},
)
linears = [m for m in model if isinstance(m, nn.Linear)]
with torch.no_grad():
    for layer, w, b in zip(linears, {weights}, {biases}):
        layer.weight.copy_(torch.tensor(w))
        layer.bias.copy_(torch.tensor(b))

x = torch.tensor({_literal(inputs)})
y = torch.tensor({_literal(targets)})

output = model(x)
loss = {TORCH_LOSSES[loss]}
loss.backward()
print("outputs", json.dumps(output.tolist()))
print("loss", repr(loss.item()))
for i, layer in enumerate(linears, start=1):
    print(f"grad_weight {{i}}", json.dumps(layer.weight.grad.tolist()))

# One step of plain gradient descent, w ← w − η·∂L/∂w, as the step player's update phase:
optimizer = torch.optim.SGD(model.parameters(), lr={learning_rate!r})
optimizer.step()
for i, layer in enumerate(linears, start=1):
    print(f"updated_weight {{i}}", json.dumps(layer.weight.detach().tolist()))
'''


@router.post(
    "/export",
    response_model=ExportResponse,
    responses=ERROR_RESPONSES,
    summary="A runnable NumPy or PyTorch script that rebuilds the network and prints its outputs",
)
def export(request: ExportRequest, settings: SettingsDep) -> Response:
    """The script holds the exact weights (drawn from `seed` when not given), the batch and the loss, and
    prints the same outputs and loss as `POST /network/trace`."""
    mlp = build_network(request, settings)
    check_batch(request.inputs, request.targets, request, settings, request.loss)
    if request.format == "numpy":
        script = numpy_script(mlp, request.inputs, request.targets, request.loss, request.learning_rate)
    else:
        script = pytorch_script(mlp, request.inputs, request.targets, request.loss, request.learning_rate)
    filename = f"backprop_network_{request.format}.py"
    return json_response({"format": request.format, "filename": filename, "script": script})
