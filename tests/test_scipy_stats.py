"""wengert.scipy.special's gamma/erf family and wengert.scipy.stats.norm against
scipy's values and closed-form derivatives (the other distributions:
tests/test_scipy_distributions.py)."""

import math

import numpy as np
import pytest

import wengert as wg
import wengert.scipy.special as wsp
from wengert.scipy.stats import norm

sc = pytest.importorskip("scipy.special")
st = pytest.importorskip("scipy.stats")

X = np.array([0.3, 1.7, 4.2])


@pytest.mark.parametrize("name", ["gammaln", "digamma", "erf", "erfc", "ndtr"])
def test_values_match_scipy(name):
    np.testing.assert_allclose(getattr(wsp, name)(X), getattr(sc, name)(X), rtol=1e-14)
    assert getattr(wsp, name)(0.7) == pytest.approx(float(getattr(sc, name)(0.7)), rel=1e-14)


def test_derivatives_in_closed_form():
    np.testing.assert_allclose(wg.elementwise_grad(wsp.gammaln)(X), sc.digamma(X), rtol=1e-14)
    np.testing.assert_allclose(wg.elementwise_grad(wsp.digamma)(X), sc.polygamma(1, X),
                               rtol=1e-14)
    np.testing.assert_allclose(wg.elementwise_grad(wsp.erf)(X),
                               2 / math.sqrt(math.pi) * np.exp(-X ** 2), rtol=1e-14)
    p = np.array([-0.5, 0.1, 0.9])
    np.testing.assert_allclose(wg.elementwise_grad(wsp.erfinv)(p),
                               math.sqrt(math.pi) / 2 * np.exp(sc.erfinv(p) ** 2), rtol=1e-13)
    # Stirling: d^2/dx^2 log Gamma(x) = polygamma(1, x)
    assert wg.derivative(wsp.gammaln, order=2)(2.5) == pytest.approx(float(sc.polygamma(1, 2.5)),
                                                                      rel=1e-14)


def test_polygamma_refuses_a_bad_order():
    with pytest.raises(ValueError, match="order n must be an integer >= 0"):
        wsp.polygamma(-1, 1.0)


@pytest.mark.parametrize("name", ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"])
def test_norm_matches_scipy_and_differentiates(name):
    ours = getattr(norm, name)
    ref = getattr(st.norm, name)
    x = X / 5 if name in ("ppf", "isf") else X
    np.testing.assert_allclose(ours(x, 0.5, 2.0), ref(x, 0.5, 2.0), rtol=1e-13)
    wg.check_grads(lambda x, m, s: ours(x, m, s), modes=("fwd", "rev"), order=2)(x, 0.5, 2.0)


def test_norm_logpdf_gradient_in_closed_form():
    g = wg.grad(lambda x: wg.numpy.sum(norm.logpdf(x, 1.0, 2.0)))(X)
    np.testing.assert_allclose(g, -(X - 1.0) / 4.0, rtol=1e-15)
