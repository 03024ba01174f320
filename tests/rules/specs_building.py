"""Spec table for rules/building.py: constants like a value, arrays built from traced
pieces, r_ and c_, pad in every mode, diag/diagflat/tril/triu, meshgrid, linspace and
logspace with traced end points, diff, gradient, cross and select. The module adds no
primitive: each function composes existing ones, and its rows are filed under the
primitive that carries its derivative (the sweep checks that the row binds it).
"""

import numpy as np

import wengert.numpy as wnp

from .spec import D, R, labelled

_case = labelled

_SPACING = np.array([0.0, 0.5, 1.5, 1.75, 3.0])

CASES = [
    # arrays from lists holding traced values: stacked (concatenate)
    _case("concatenate", "array-list", lambda x: wnp.array([x, 2.0 * x, 1.0]), R()),
    _case("concatenate", "array-nested", lambda x, y: wnp.array([[x, y], [y * y, x]]),
          R(2), R(2)),
    _case("concatenate", "array-of-arrays", lambda x: wnp.array((x, x * x)), R(2, 3)),
    _case("concatenate", "asarray-elements", lambda x: wnp.asarray([[x[0], 1.0], [2.0, x[1]]]),
          R(2)),
    _case("reshape", "array-copy", lambda x: wnp.array(x) * x, R(3)),
    _case("reshape", "array-ndmin", lambda x: wnp.array(x, ndmin=3), R(3)),
    _case("reshape", "copy", lambda x: wnp.copy(x) * x, R(2, 2)),
    _case("reshape", "ascontiguousarray-scalar", wnp.ascontiguousarray, R()),
    # r_ and c_
    _case("concatenate", "r_", lambda x, y: wnp.r_[x, 0.5, y], R(3), R(2)),
    _case("concatenate", "r_-scalars", lambda x, y: wnp.r_[x, y], R(), R()),
    _case("concatenate", "r_-directive", lambda x, y: wnp.r_["0,2", x, y], R(3), R(3)),
    _case("concatenate", "r_-trans1d", lambda x, y: wnp.r_["0,2,0", x, y], R(3), R(3)),
    _case("concatenate", "c_", lambda x, y: wnp.c_[x, y], R(3), R(3)),
    _case("concatenate", "c_-2d", lambda x, y: wnp.c_[x, y], R(2, 2), R(2, 1)),
    # full and full_like with a traced fill value
    _case("broadcast_to", "full_like", lambda v: wnp.full_like(np.zeros((2, 3)), v), R()),
    _case("broadcast_to", "full", lambda v: wnp.full((2, 3), v), R(3)),
    # pad: copying modes gather; the others build each axis
    _case("getitem", "pad-edge", lambda x: wnp.pad(x, ((2, 1), (0, 3)), mode="edge"),
          R(2, 3)),
    _case("getitem", "pad-reflect", lambda x: wnp.pad(x, (2, 3), mode="reflect"), R(4)),
    _case("getitem", "pad-reflect-wide", lambda x: wnp.pad(x, 5, mode="reflect"), R(3)),
    _case("getitem", "pad-symmetric", lambda x: wnp.pad(x, ((1, 2), (3, 1)),
                                                         mode="symmetric"), R(2, 3)),
    _case("getitem", "pad-wrap", lambda x: wnp.pad(x, ((1, 3), (2, 2)), mode="wrap"),
          R(2, 3)),
    _case("concatenate", "pad-constant", lambda x: wnp.pad(x, 1), R(2, 3)),
    _case("concatenate", "pad-constant-values",
          lambda x: wnp.pad(x, ((1, 0), (2, 1)), constant_values=((1.5, 2.0), (-1, 3))),
          R(2, 3)),
    _case("concatenate", "pad-constant-traced-value",
          lambda x, c: wnp.pad(x, 2, constant_values=c), R(3), R()),
    _case("concatenate", "pad-3d", lambda x: wnp.pad(x, ((0, 1), (1, 0), (1, 1))),
          R(2, 2, 2)),
    _case("concatenate", "pad-linear_ramp",
          lambda x: wnp.pad(x, ((2, 1), (1, 3)), mode="linear_ramp",
                            end_values=((1.0, -2.0), (0.5, 0))), R(2, 3)),
    _case("concatenate", "pad-linear_ramp-traced-end",
          lambda x, e: wnp.pad(x, 3, mode="linear_ramp", end_values=e), R(3), R()),
    _case("max", "pad-maximum", lambda x: wnp.pad(x, ((1, 2), (2, 0)), mode="maximum"),
          D(3, 3)),
    _case("min", "pad-minimum-stat", lambda x: wnp.pad(x, 2, mode="minimum", stat_length=2),
          D(4, 3)),
    _case("sum", "pad-mean", lambda x: wnp.pad(x, ((1, 1), (2, 1)), mode="mean",
                                               stat_length=((2, 3), (1, 2))), R(3, 4)),
    # random values: the means that pad rows hold have no ties (D's would)
    _case("getitem", "pad-median", lambda x: wnp.pad(x, (2, 1), mode="median"), R(2, 4)),
    _case("getitem", "pad-median-odd", lambda x: wnp.pad(x, 1, mode="median", stat_length=3),
          D(5, 3)),
    _case("tensordot", "pad-reflect-odd",
          lambda x: wnp.pad(x, (3, 2), mode="reflect", reflect_type="odd"), R(3, 2)),
    _case("tensordot", "pad-symmetric-odd",
          lambda x: wnp.pad(x, 4, mode="symmetric", reflect_type="odd"), R(3)),
    # diagonals and triangles
    _case("untake", "diag-1d", wnp.diag, R(3)),
    _case("untake", "diag-1d-k1", lambda x: wnp.diag(x, 1), R(3)),
    _case("untake", "diag-1d-k-minus2", lambda x: wnp.diag(x, k=-2), R(2)),
    _case("untake", "diagflat", lambda x: wnp.diagflat(x, -1), R(2, 2)),
    _case("getitem", "diag-2d", wnp.diag, R(3, 3)),
    _case("getitem", "diag-2d-k1", lambda x: wnp.diag(x, 1), R(3, 4)),
    _case("getitem", "diag-2d-k-minus1", lambda x: wnp.diag(x, -1), R(4, 3)),
    _case("where", "tril", wnp.tril, R(3, 3)),
    _case("where", "tril-k", lambda x: wnp.tril(x, -1), R(3, 4)),
    _case("where", "triu-batched", lambda x: wnp.triu(x, 1), R(2, 3, 3)),
    _case("where", "triu-1d", wnp.triu, R(3)),
    # grids and ranges
    _case("broadcast_to", "meshgrid-xy", lambda x, y: wnp.stack(wnp.meshgrid(x, y)),
          R(3), R(2)),
    _case("broadcast_to", "meshgrid-ij-3",
          lambda x, y, z: wnp.stack(wnp.meshgrid(x, y, z, indexing="ij")), R(2), R(3), R(2)),
    _case("reshape", "meshgrid-sparse",
          lambda x, y: wnp.meshgrid(x, y, sparse=True)[0] * wnp.meshgrid(x, y, sparse=True)[1],
          R(3), R(2)),
    _case("multiply", "linspace", lambda a, b: wnp.linspace(a, b, 5), R(), R()),
    _case("multiply", "linspace-no-endpoint",
          lambda a, b: wnp.linspace(a, b, 4, endpoint=False), R(), R()),
    _case("multiply", "linspace-arrays-axis1", lambda a, b: wnp.linspace(a, b, 3, axis=1),
          R(2), R(2)),
    _case("index_update", "linspace-stop", lambda b: wnp.linspace(0.5, b, 4), R(2, 1)),
    _case("multiply", "linspace-num1", lambda a, b: wnp.linspace(a, b, 1), R(), R()),
    _case("power", "logspace", lambda a, b: wnp.logspace(a, b, 4), R(), R()),
    _case("power", "logspace-base", lambda a, b, s: wnp.logspace(a, b, 3, base=s),
          R(), R(), 1.5 + abs(R())),
    # finite differences
    _case("subtract", "diff", wnp.diff, R(5)),
    _case("subtract", "diff-n2-axis0", lambda x: wnp.diff(x, n=2, axis=0), R(4, 3)),
    _case("subtract", "diff-prepend-append",
          lambda x: wnp.diff(x, prepend=0.5, append=[1.0, 2.0]), R(4)),
    _case("subtract", "diff-traced-prepend", lambda x, p: wnp.diff(x, axis=1, prepend=p),
          R(2, 3), R(2, 1)),
    _case("subtract", "gradient", wnp.gradient, R(5)),
    _case("subtract", "gradient-edge2", lambda x: wnp.gradient(x, 0.5, edge_order=2), R(5)),
    _case("multiply", "gradient-coords", lambda x: wnp.gradient(x, _SPACING), R(5)),
    _case("multiply", "gradient-coords-edge2",
          lambda x: wnp.gradient(x, _SPACING, edge_order=2), R(5)),
    _case("subtract", "gradient-2d", lambda x: wnp.stack(wnp.gradient(x)), R(3, 4)),
    _case("subtract", "gradient-axis", lambda x: wnp.gradient(x, 2.0, axis=1), R(3, 4)),
    _case("divide", "gradient-traced-spacing", lambda x, h: wnp.gradient(x, h), R(4),
          0.5 + abs(R())),
    _case("multiply", "gradient-traced-coords",
          lambda x, c: wnp.gradient(x, wnp.cumsum(0.5 + 0.2 * c * c), edge_order=2), R(4),
          R(4)),
    # cross and select
    _case("multiply", "cross", wnp.cross, R(3), R(3)),
    _case("multiply", "cross-broadcast", wnp.cross, R(4, 3), R(3)),
    _case("multiply", "cross-axes", lambda a, b: wnp.cross(a, b, axisa=0, axisb=1, axisc=0),
          R(3, 2), R(2, 3)),
    _case("where", "select", lambda x: wnp.select([x < -0.5, x > 0.5], [x * x, wnp.sin(x)]),
          R(6)),
    _case("where", "select-traced-default",
          lambda x, d: wnp.select([x > 0], [x], default=d), R(2, 3), R(3)),
]
