"""``Optimizer``: PyTorch's base class, over wengert tensors.

An optimiser differentiates nothing: it reads each parameter's ``.grad``, keeps its
own buffers, and writes the parameter in place under ``no_grad`` (the parameter's
array itself changes, so ``.numpy()`` views see it, and its version counter moves).
The arithmetic is numpy's, in the order PyTorch's single-tensor CPU kernels use, so
trajectories agree with PyTorch's to rounding.
"""

import copy
import functools
import warnings
from collections import OrderedDict, defaultdict

import numpy as np

from ..tensors._tensor import Tensor, get_default_dtype
from ..tensors.autograd import enable_grad, no_grad

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """The default of an option a param group must give (PyTorch's ``required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class _RemovableHandle:
    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _typename(x):
    if isinstance(x, Tensor):
        return "wengert." + type(x).__name__
    mod = type(x).__module__
    return type(x).__qualname__ if mod == "builtins" else f"{mod}.{type(x).__qualname__}"


def _hooked(step):
    """``step`` with the step pre- and post-hooks around it."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for hook in list(getattr(self, "_optimizer_step_pre_hooks", {}).values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {result}.")
        out = step(self, *args, **kwargs)
        for hook in list(getattr(self, "_optimizer_step_post_hooks", {}).values()):
            hook(self, args, kwargs)
        return out
    wrapper._hooked = True
    return wrapper


class Optimizer:
    """The base of every optimiser: parameter groups, per-parameter ``state``,
    ``zero_grad``, ``state_dict``/``load_state_dict`` and ``add_param_group``, as
    PyTorch's ``torch.optim.Optimizer``.

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts
    (param groups) each with ``'params'`` and any options that override
    ``defaults`` for that group. ``param_groups[i]['lr']`` may be changed at any
    time (the schedulers do).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _hooked(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable "
                            "of Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------ groups

    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``'params'`` and options) to
        optimise, e.g. layers unfrozen during fine-tuning."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered "
                            "collections, but the ordering of tensors in sets will change "
                            "between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the "
                                "params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param._retain):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in tensors]
        if len(ids) != len(set(ids)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error", stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(f"all optimizer param groups should be with/without "
                                 f"names. cannot add param group {which} to the "
                                 f"optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ------------------------------------------------------------ gradients

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter: to ``None`` (the default), or to
        zeros in the same ``.grad`` tensor (detached) with ``set_to_none=False``."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                # a fresh array: a gradient's array may be shared with another
                # parameter's (the reverse pass hands one cotangent to both)
                g.data = np.zeros(tuple(g.shape), dtype=g.dtype)

    def step(self, closure=None):
        """One optimisation step; ``closure`` re-evaluates the model and returns the
        loss (run with gradients on), and that loss is returned."""
        raise NotImplementedError

    def _step_each(self, closure):
        """The step of the optimisers here: each parameter with a gradient, in each
        group, through ``self._update(p, group)``, under ``no_grad``."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, group)
        return loss

    # ------------------------------------------------------------ hooks

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs before each ``step``; it may return
        new ``(args, kwargs)``. Returns a handle with ``remove()``."""
        handle = _RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs after each ``step``."""
        handle = _RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------ saving

    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index...]}]}``:
        parameters become their indices in group order (PyTorch's format); the state
        tensors are the optimiser's own (copy the dict to keep a snapshot)."""
        mapping = {}
        start = 0

        def pack(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack(g) for g in self.param_groups]
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take the state and options of ``state_dict`` (from ``state_dict()``);
        parameters are matched by position. Floating state is cast to its parameter's
        dtype; tensors are copied, so the loaded optimiser shares no buffer with the
        dict."""
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't "
                             "match the size of optimizer's group")
        id_map = {}
        for g, s in zip(groups, saved_groups):
            id_map.update(zip(s["params"], g["params"]))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                if key != "step" and param.is_floating_point() \
                        and value.is_floating_point():
                    value = value.to(param.dtype)
                return _copy_tensor(value)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v)
            else:
                state[k] = v
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_optimizer_step_post_hooks", OrderedDict())

    def __repr__(self):
        out = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            out += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    out += f"    {key}: {group[key]}\n"
        return out + ")"


# ---------------------------------------------------------------- helpers for the steps

def _copy_tensor(t):
    return Tensor._wrap(np.array(t.detach().numpy(), copy=True), None)


def _scalar(x):
    """A Python number from an option that may be a one-element tensor."""
    return x.item() if isinstance(x, Tensor) else x


def _real(a):
    """``a`` as real numbers: a complex array becomes a flat real view of its
    (re, im) pairs, as PyTorch's ``view_as_real`` (in place when ``a`` is
    contiguous, which every state buffer here is)."""
    if a.dtype.kind != "c":
        return a
    return np.ascontiguousarray(a).reshape(-1).view(a.real.dtype)


def _param(p):
    """The parameter's value as a (real) array to compute the new value from."""
    return _real(np.asarray(p.detach().numpy()))


def _grad(p, maximize=False):
    g = _real(np.asarray(p.grad.detach().numpy()))
    return -g if maximize else g


def _write(p, value):
    """Write ``value`` (from ``_param``'s real view) into ``p`` in place."""
    dtype = p.dtype
    if dtype.kind == "c":
        value = np.ascontiguousarray(value).view(dtype).reshape(tuple(p.shape))
    p.copy_(Tensor._wrap(np.asarray(value, dtype=dtype), None))


def _zeros_like(p, fill=0.0):
    return Tensor._wrap(np.full(tuple(p.shape), fill, dtype=p.dtype), None)


def _buffer(t):
    """The array behind a state tensor, as real numbers (written in place)."""
    return _real(t.detach().numpy())


def _step_tensor():
    """``state['step']``: a 0-d tensor of the default float type, as PyTorch's."""
    return Tensor._wrap(np.array(0.0, dtype=get_default_dtype()), None)


def _increment(step_t):
    a = step_t.detach().numpy()
    a += 1
    return float(a)


def _lerp(a, end, weight):
    """``a.lerp_(end, weight)`` in place, with PyTorch's two formulas."""
    if abs(weight) < 0.5:
        a += weight * (end - a)
    else:
        a[...] = end - (end - a) * (1 - weight)


def _addcmul_sq(a, g, value):
    """``a.addcmul_(g, g, value=value)`` in place: ``a + value * g * g``."""
    a += value * g * g


def _check(ok, message):
    if not ok:
        raise ValueError(message)

