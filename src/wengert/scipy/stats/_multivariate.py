"""multivariate_normal, dirichlet and multinomial, with scipy.stats' argument
handling, validation, broadcasting and squeezing of the result."""

import numpy as np

from ... import numpy as wnp
from ...core.trace import is_boxed, unbox_all
from .. import special as wsp
from ._base import is_batched, per_example, prep, rv_frozen, shape_of

_LOG_2PI = np.log(2 * np.pi)


def _squeeze(out, boxed):
    """scipy's _squeeze_output: every length-1 axis dropped, a scalar for 0-d."""
    shape = tuple(d for d in shape_of(out) if d != 1)
    if boxed:
        return out if shape == shape_of(out) else wnp.reshape(out, shape)
    out = np.asarray(out, dtype=np.float64).reshape(shape)
    return out[()] if out.ndim == 0 else out


def _check_psd(c, allow_singular):
    """scipy's _PSD checks, on the eigenvalues of the lower triangle of each matrix
    in ``c`` (under vmap, one per example)."""
    if not np.isfinite(c).all():
        raise ValueError("array must not contain infs or NaNs")
    s = np.linalg.eigvalsh(c, UPLO="L")
    eps = 1e6 * np.finfo(np.float64).eps * np.max(np.abs(s), axis=-1, keepdims=True)
    if np.any(np.min(s, axis=-1, keepdims=True) < -eps):
        raise ValueError("The input matrix must be symmetric positive semidefinite.")
    if np.any(s <= eps):
        if not allow_singular:
            raise np.linalg.LinAlgError("When `allow_singular is False`, the input "
                                        "matrix must be symmetric positive definite.")
        raise NotImplementedError("multivariate_normal: a singular cov (allowed by "
                                  "allow_singular=True) is not supported by wengert; "
                                  "its covariance must be positive definite")
    return np.zeros(c.shape[:-2])


class multivariate_normal_gen:
    """The multivariate normal distribution: ``logpdf`` and ``pdf`` with scipy's
    ``(x, mean=None, cov=1, allow_singular=False)``, differentiable in x, mean and
    cov. cov is factored with Cholesky, which (like scipy's eigh) reads its lower
    triangle: the derivative in cov is that of this reading, zero above the
    diagonal and, below it, the sum of both entries' sensitivities. cov must be
    positive definite (scipy's test: no eigenvalue within 1e6 eps of 0, relative to
    the largest); a singular one raises as in scipy, also with allow_singular=True
    (then NotImplementedError: the singular density's derivative is not provided).

    >>> import numpy as np, wengert as wg
    >>> from wengert.scipy.stats import multivariate_normal as mvn
    >>> cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> g = wg.grad(mvn.logpdf, argnums=1)(np.array([1.0, 0.0]), np.zeros(2), cov)
    >>> np.allclose(g, np.linalg.solve(cov, [1.0, 0.0]))  # Sigma^-1 (x - mu)
    True
    """

    name = "multivariate_normal"

    def __repr__(self):
        return "<wengert.scipy.stats.multivariate_normal>"

    def __call__(self, mean=None, cov=1, allow_singular=False):
        """The frozen distribution: ``multivariate_normal(mean, cov).logpdf(x)``."""
        return rv_frozen(self, mean, cov, allow_singular)

    @staticmethod
    def _parameters(mean, cov, allow_singular):
        # scipy's _process_parameters_psd: the dimension from mean, else from cov
        # shapes are one example's (under vmap); the values are checked per example
        if mean is None:
            dim = 1 if len(shape_of(cov)) < 2 else shape_of(cov)[0]
            mean = np.zeros(dim)
        else:
            mean = prep(mean)
            dim = int(np.prod(shape_of(mean)))
        cov = prep(cov)
        if dim == 1:
            mean = wnp.reshape(mean, (1,))
            cov = wnp.reshape(cov, (1, 1))
        if len(shape_of(mean)) != 1 or shape_of(mean)[0] != dim:
            raise ValueError(f"Array 'mean' must be a vector of length {dim}.")
        nd = len(shape_of(cov))
        if nd == 0:
            cov = cov * np.eye(dim)
        elif nd == 1:
            cov = np.eye(dim) * cov
        elif nd == 2 and shape_of(cov) != (dim, dim):
            rows, cols = shape_of(cov)
            if rows != cols:
                msg = ("Array 'cov' must be square if it is two dimensional,"
                       f" but cov.shape = {str(shape_of(cov))}.")
            else:
                msg = (f"Dimension mismatch: array 'cov' is of shape "
                       f"{shape_of(cov)}, but 'mean' is a vector of length {dim}.")
            raise ValueError(msg)
        elif nd > 2:
            raise ValueError(f"Array 'cov' must be at most two-dimensional, "
                             f"but cov.ndim = {nd}")
        per_example(lambda c, k: _check_psd(c, allow_singular), cov, lead=True)
        return dim, mean, cov

    def _logpdf(self, x, mean, cov, allow_singular):
        dim, mean, cov = self._parameters(mean, cov, allow_singular)
        x = prep(x)
        nx = len(shape_of(x))
        if nx == 0:
            x = wnp.reshape(x, (1,))
        elif nx == 1:
            x = wnp.reshape(x, (-1, 1) if dim == 1 else (1, -1))
        lead = shape_of(x)[:-1]
        if shape_of(x)[-1] != dim:
            raise ValueError(f"multivariate_normal: the points (x's last axis) have length "
                             f"{shape_of(x)[-1]}, the distribution dimension {dim}")
        dev = wnp.reshape(x - mean, (-1, dim))
        chol = wnp.linalg.cholesky(cov)
        white = wnp.linalg.solve(chol, wnp.transpose(dev))   # L^-1 (x - mean), columns
        maha = wnp.sum(white * white, axis=0)
        log_det = 2.0 * wnp.sum(wnp.log(wnp.diagonal(chol)))
        out = -0.5 * (dim * _LOG_2PI + log_det + maha)
        return wnp.reshape(out, lead)

    def logpdf(self, x, mean=None, cov=1, allow_singular=False):
        """The log density at x (points along the last axis)."""
        boxed = any(is_boxed(v) for v in (x, mean, cov))
        return _squeeze(self._logpdf(x, mean, cov, allow_singular), boxed)

    def pdf(self, x, mean=None, cov=1, allow_singular=False):
        """The density at x (points along the last axis)."""
        boxed = any(is_boxed(v) for v in (x, mean, cov))
        return _squeeze(wnp.exp(self._logpdf(x, mean, cov, allow_singular)), boxed)


def _check_alpha(a, k):
    """scipy's check of the concentrations (k leading batch axes)."""
    if np.min(a) <= 0:
        raise ValueError("All parameters must be greater than 0")
    return np.zeros(a.shape[:k])


def _check_x(p, a, k):
    """scipy's checks of the points (the components along axis k, after k leading
    batch axes; the concentrations ``a`` one vector per example)."""
    if np.min(p) < 0:
        raise ValueError("Each entry in 'x' must be greater than or equal "
                         "to zero.")
    if np.max(p) > 1:
        raise ValueError("Each entry in 'x' must be smaller or equal one.")
    below1 = (a < 1).reshape(a.shape + (1,) * (p.ndim - a.ndim))
    if np.any((p == 0) & below1):
        raise ValueError("Each entry in 'x' must be greater than zero if its "
                         "alpha is less than one.")
    sums = np.sum(p, axis=k)
    off = np.abs(sums - 1.0) > 10e-10
    if off.any():
        if k:  # the first example off the simplex
            sums = sums[tuple(np.argwhere(off.reshape(off.shape[:k] + (-1,)).any(-1))[0])]
        raise ValueError("The input vector 'x' must lie within the normal "
                         f"simplex. but np.sum(x, 0) = {sums}.")
    return np.zeros(p.shape[:k])


class dirichlet_gen:
    """The Dirichlet distribution: ``logpdf(x, alpha)`` and ``pdf``, with scipy's
    layout (the components along x's first axis; k - 1 of them, the last being 1
    minus their sum) and its checks, which raise ValueError. Differentiable in x
    and alpha.

    >>> import numpy as np, wengert as wg
    >>> from wengert.scipy.stats import dirichlet
    >>> g = wg.grad(dirichlet.logpdf)(np.array([0.2, 0.3, 0.5]), np.array([2.0, 2.0, 2.0]))
    >>> np.allclose(g, 1 / np.array([0.2, 0.3, 0.5]))  # (alpha - 1) / x
    True
    """

    name = "dirichlet"

    def __repr__(self):
        return "<wengert.scipy.stats.dirichlet>"

    def __call__(self, alpha):
        """The frozen distribution: ``dirichlet(alpha).logpdf(x)``."""
        return rv_frozen(self, alpha)

    @staticmethod
    def _inputs(x, alpha):
        # shapes are one example's (under vmap); the values are checked per example
        alpha = prep(alpha)
        per_example(_check_alpha, alpha, lead=True)
        a_shape = shape_of(alpha)
        if len(a_shape) != 1:
            raise ValueError("Parameter vector 'a' must be one dimensional, "
                             f"but a.shape = {a_shape}.")
        x = prep(x)
        xs = shape_of(x)
        if xs[0] + 1 != a_shape[0] and xs[0] != a_shape[0]:
            raise ValueError("Vector 'x' must have either the same number "
                             "of entries as, or one entry fewer than, "
                             f"parameter vector 'a', but alpha.shape = {a_shape} "
                             f"and x.shape = {xs}.")
        if xs[0] != a_shape[0]:
            last = 1 - wnp.sum(x, axis=0)
            if len(xs) == 1:
                x = wnp.concatenate([x, wnp.reshape(last, (1,))])
            elif len(xs) == 2:
                x = wnp.concatenate([x, wnp.reshape(last, (1,) + xs[1:])], axis=0)
            else:
                raise ValueError("The input must be one dimensional or a two "
                                 "dimensional matrix containing the entries.")
        per_example(_check_x, x, alpha, lead=True)
        return x, alpha

    @staticmethod
    def _logpdf(x, alpha):
        lnB = wnp.sum(wsp.gammaln(alpha)) - wsp.gammaln(wnp.sum(alpha))
        return -lnB + wnp.sum(wnp.transpose(wsp.xlogy(alpha - 1, wnp.transpose(x))), axis=0)

    def logpdf(self, x, alpha):
        """The log density at x."""
        boxed = is_boxed(x) or is_boxed(alpha)
        return _squeeze(self._logpdf(*self._inputs(x, alpha)), boxed)

    def pdf(self, x, alpha):
        """The density at x."""
        boxed = is_boxed(x) or is_boxed(alpha)
        return _squeeze(wnp.exp(self._logpdf(*self._inputs(x, alpha))), boxed)


class multinomial_gen:
    """The multinomial distribution: ``logpmf(x, n, p)`` and ``pmf``, differentiable
    in p (the counts x and n are constants). As scipy does, where a row of p does
    not sum to 1 within 10 eps its last entry is read as 1 minus the others' sum
    (so the derivative in that entry is 0 there, and the others' carry it); x off
    the lattice of counts summing to n gives -inf, n < 0 or p outside [0, 1] nan."""

    name = "multinomial"

    def __repr__(self):
        return "<wengert.scipy.stats.multinomial>"

    def __call__(self, n, p):
        """The frozen distribution: ``multinomial(n, p).logpmf(x)``."""
        return rv_frozen(self, n, p)

    def _logpmf(self, x, n, p):
        p = prep(p)
        # shapes are one example's (under vmap); the masks are computed per example
        x_shape, p_shape = shape_of(x), shape_of(p)
        if len(x_shape) == 0:
            raise ValueError("x must be an array.")
        if np.prod(x_shape) != 0 and not x_shape[-1] == p_shape[-1]:
            raise ValueError(f"Size of each quantile should be size of p: "
                             f"received {x_shape[-1]}, but expected {p_shape[-1]}.")
        eps = np.finfo(np.result_type(np.asarray(unbox_all(p)), np.float32)).eps * 10

        def plan(X, n, P):
            P = np.array(P, dtype=np.float64)
            adjusted = np.abs(1 - P.sum(axis=-1)) > eps
            P[adjusted, -1] = 1. - P[adjusted, :-1].sum(axis=-1)
            n = np.array(n, dtype=int)
            bad_p = np.any(P < 0, axis=-1) | np.any(P > 1, axis=-1) | (n < 0)
            xx = np.asarray(X, dtype=int)
            bad_x = np.any(xx != X, axis=-1) | np.any(xx < 0, axis=-1) | (np.sum(xx, -1) != n)
            bad_x, bad_p = np.broadcast_arrays(bad_x, bad_p)
            # rows set aside get x = 0: no inf or nan from them reaches a derivative
            xs = np.where((bad_x | bad_p)[..., None], 0, xx)
            return adjusted, bad_x, bad_p, xs, n
        # each example on its own (the masks mix reductions over the last axis with
        # n's broadcasting, so the batch is not handled as one array)
        adjusted, bad_x, bad_p, xs, n = per_example(plan, x, n, p)
        if np.any(unbox_all(adjusted)):
            rest = p[..., :-1]
            last = wnp.where(adjusted, 1. - wnp.sum(rest, axis=-1), p[..., -1])
            p = wnp.concatenate([rest, wnp.expand_dims(last, -1)], axis=-1)
        out = wsp.gammaln(n + 1.0) + wnp.sum(wsp.xlogy(xs, p) - wsp.gammaln(xs + 1.0), axis=-1)
        out = wnp.where(bad_x, -np.inf, out)
        return wnp.where(bad_p, np.nan, out), is_boxed(p) or is_batched(x, n)

    def logpmf(self, x, n, p):
        """The log probability of the counts x (along the last axis)."""
        out, boxed = self._logpmf(x, n, p)
        return out if boxed else np.asarray(out, dtype=np.float64)  # scipy: an array

    def pmf(self, x, n, p):
        """The probability of the counts x."""
        out, boxed = self._logpmf(x, n, p)
        return wnp.exp(out) if boxed else np.exp(np.asarray(out, dtype=np.float64))


multivariate_normal = multivariate_normal_gen()
dirichlet = dirichlet_gen()
multinomial = multinomial_gen()
