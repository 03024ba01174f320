"""Anomaly mode: the first nan or inf names its primitive, its direction and the
user's own line; off, the transforms use the plain traces."""

import threading

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core.forward import ForwardTrace
from wengert.core.reverse import ReverseTrace

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _sqrt_then_zero(x):
    y = wnp.sqrt(x)  # LINE-SQRT
    return wnp.sum(y * 0.0)


def _line_of(marker):
    with open(__file__) as f:
        for k, line in enumerate(f, 1):
            if marker in line and "_line_of" not in line:
                return k
    raise LookupError(marker)


def test_off_by_default_and_nan_passes_silently():
    assert not wg.is_anomaly_enabled()
    g = wg.grad(_sqrt_then_zero)(np.array([0.0, 1.0]))
    assert np.isnan(g[0]) and g[1] == 0.0


def test_adjoint_names_primitive_direction_and_the_users_line():
    with wg.detect_anomaly():
        with pytest.raises(wg.AnomalyError) as info:
            wg.grad(_sqrt_then_zero)(np.array([0.0, 1.0]))
    msg = str(info.value)
    assert "adjoint (reverse pass) of primitive 'sqrt' is nan" in msg
    assert f"test_anomaly.py:{_line_of('LINE-SQRT')} in _sqrt_then_zero" in msg
    assert "y = wnp.sqrt(x)" in msg
    assert isinstance(info.value, FloatingPointError)


def test_tangent_is_checked_in_forward_mode():
    with wg.detect_anomaly():
        with pytest.raises(wg.AnomalyError, match=r"tangent \(forward mode\) of primitive "
                                                  r"'sqrt' is inf.*_sqrt_then_zero"):
            wg.jvp(_sqrt_then_zero, (np.array([0.0, 1.0]),), (np.ones(2),))


def test_forward_value_is_checked():
    def f(x):
        return wnp.log(x - 1.0)  # LINE-LOG

    with wg.detect_anomaly():
        with pytest.raises(wg.AnomalyError) as info:
            wg.grad(f)(1.0)
    msg = str(info.value)
    assert "value (forward pass) of primitive 'log' is inf" in msg
    assert f":{_line_of('LINE-LOG')} in f" in msg
    assert "came from outside" not in msg


def test_a_nan_argument_is_reported_as_coming_from_outside():
    with wg.detect_anomaly():
        with pytest.raises(wg.AnomalyError, match="came from outside"):
            wg.grad(lambda x: wnp.sum(wnp.sin(x)))(np.array([np.nan, 1.0]))


def test_higher_order_is_checked_at_every_level():
    def f(x):
        return wnp.sum(wnp.sqrt(x) ** 3)

    x = np.array([0.0, 1.0])
    assert np.isnan(wg.hessian(f)(x)).any()
    with wg.detect_anomaly():
        with pytest.raises(wg.AnomalyError, match="primitive 'sqrt'"):
            wg.hessian(f)(x)


def test_finite_computations_are_unchanged():
    def f(x):
        return wnp.sum(wnp.tanh(x) * wnp.exp(-x * x))

    x = np.linspace(-1.0, 1.0, 5)
    want = wg.grad(f)(x), wg.hessian(f)(x)
    with wg.detect_anomaly():
        got = wg.grad(f)(x), wg.hessian(f)(x)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_the_flag_and_the_context_restore_the_plain_traces():
    from wengert import transforms
    assert wg.set_detect_anomaly(True) is False
    try:
        assert wg.is_anomaly_enabled()
        with wg.detect_anomaly(False):
            assert not wg.is_anomaly_enabled()
        assert wg.is_anomaly_enabled()
    finally:
        assert wg.set_detect_anomaly(False) is True
    assert transforms.traces.reverse is ReverseTrace
    assert transforms.traces.forward is ForwardTrace
    with pytest.raises(ZeroDivisionError):
        with wg.detect_anomaly():
            1 / 0
    assert not wg.is_anomaly_enabled()


def test_anomaly_mode_in_another_thread():
    errors = []

    def work():
        try:
            wg.grad(_sqrt_then_zero)(np.array([0.0]))
        except wg.AnomalyError as e:
            errors.append(e)

    with wg.detect_anomaly():
        t = threading.Thread(target=work)
        t.start()
        t.join()
    assert len(errors) == 1
