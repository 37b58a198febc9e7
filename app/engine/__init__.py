"""A small reverse-mode autograd engine on NumPy (float64), written to be read.

    tensor.py      Tensor and backward() (reverse topological order)
    ops.py         every op: forward + vector-Jacobian product, in one table
    functions.py   the functions users call (add, tanh, linear, mse_loss, ...)
    graph.py       the computed graph read back for teaching (values, grads, local derivatives)
    expression.py  a safe parser: text -> graph, no eval
    gradcheck.py   central finite differences

The engine knows nothing of networks or HTTP.
"""

from app.engine import functions
from app.engine.functions import ACTIVATIONS, LOSSES
from app.engine.gradcheck import check_gradients, numerical_gradient
from app.engine.graph import GraphView, describe
from app.engine.tensor import Tensor, topological_order

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "GraphView",
    "Tensor",
    "check_gradients",
    "describe",
    "functions",
    "numerical_gradient",
    "topological_order",
]
