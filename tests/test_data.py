"""wengert.utils.data: datasets, samplers, collation and DataLoader batching,
shuffling (repeatable through wg.manual_seed or a generator), drop_last and len;
and, when PyTorch is installed, the batch structure and lengths against PyTorch's."""

import collections
import itertools

import numpy as np
import pytest

import wengert as wg
import wengert.optim as optim
from wengert.tensors._creation import Generator
from wengert.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset,
                                IterableDataset, RandomSampler, SequentialSampler, Subset,
                                SubsetRandomSampler, TensorDataset, default_collate,
                                default_convert, random_split)


def _xy(n=10):
    x = np.arange(3.0 * n).reshape(n, 3)
    y = np.arange(n)
    return x, y


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return {"x": np.array([i, i * i], dtype=np.float64), "i": i, "name": f"s{i}"}


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(np.arange(self.n, dtype=np.float64))


# ---------------------------------------------------------------- datasets

def test_tensor_dataset_rows_len_and_shared_memory():
    x, y = _xy()
    ds = TensorDataset(x, wg.tensor(y))
    assert len(ds) == 10
    xi, yi = ds[3]
    np.testing.assert_array_equal(xi.numpy(), x[3])
    assert yi.item() == 3 and isinstance(xi, wg.Tensor)
    x[3, 0] = -1.0  # an array becomes a tensor over the same memory
    assert ds[3][0][0].item() == -1.0
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(wg.zeros(3, 2), wg.zeros(4))


def test_subset_concat_and_base_errors():
    ds = Squares(5)
    sub = Subset(ds, [4, 0, 2])
    assert len(sub) == 3 and sub[0]["i"] == 4 and sub[2]["i"] == 2
    both = ds + Squares(3)
    assert isinstance(both, ConcatDataset) and len(both) == 8
    assert both[5]["i"] == 0 and both[-1]["i"] == 2 and both[4]["i"] == 4
    with pytest.raises(NotImplementedError, match="implement __getitem__"):
        Dataset()[0]


def test_random_split_lengths_fractions_and_repeatability():
    parts = random_split(range(10), [3, 7], generator=Generator(1))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(itertools.chain(*parts)) == list(range(10))
    again = random_split(range(10), [3, 7], generator=Generator(1))
    assert [list(p) for p in parts] == [list(p) for p in again]
    wg.manual_seed(5)
    a = [list(p) for p in random_split(range(10), [0.5, 0.25, 0.25])]
    wg.manual_seed(5)
    b = [list(p) for p in random_split(range(10), [0.5, 0.25, 0.25])]
    assert a == b and [len(p) for p in a] == [6, 2, 2]  # floors 5, 2, 2; one left over
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])


# ---------------------------------------------------------------- batching

@pytest.mark.parametrize("n,bs,drop_last", [(10, 3, False), (10, 3, True), (9, 3, False),
                                            (9, 3, True), (2, 5, False), (2, 5, True)])
def test_batches_cover_the_data_in_order_and_len_counts_them(n, bs, drop_last):
    x, y = _xy(n)
    loader = DataLoader(TensorDataset(x, y), batch_size=bs, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == (n // bs if drop_last else -(-n // bs))
    sizes = [len(b[1]) for b in batches]
    assert all(s == bs for s in sizes[:-1]) and (not drop_last or sizes[-1:] in ([], [bs]))
    kept = sum(sizes)
    if batches:
        xs = np.concatenate([b[0].numpy() for b in batches])
        ys = np.concatenate([b[1].numpy() for b in batches])
        np.testing.assert_array_equal(xs, x[:kept])
        np.testing.assert_array_equal(ys, y[:kept])
        assert isinstance(batches[0], list) and batches[0][0].shape == (sizes[0], 3)
        assert batches[0][0].dtype == np.float64 and batches[0][1].dtype == np.int64


def test_loader_over_a_plain_array_a_tensor_and_a_list():
    a = np.arange(7.0)
    got = [b.numpy().tolist() for b in DataLoader(a, batch_size=3)]
    assert got == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0]]
    t = wg.arange(12.0).reshape(6, 2)
    batches = list(DataLoader(t, batch_size=4))
    assert [tuple(b.shape) for b in batches] == [(4, 2), (2, 2)]
    assert all(isinstance(b, wg.Tensor) for b in batches)
    pairs = [(np.full(2, i, dtype=np.float32), i) for i in range(5)]
    x, y = next(iter(DataLoader(pairs, batch_size=5)))
    assert x.dtype == np.float32 and x.shape == (5, 2) and y.tolist() == [0, 1, 2, 3, 4]


def test_dict_samples_collate_field_by_field():
    batch = next(iter(DataLoader(Squares(6), batch_size=4)))
    assert set(batch) == {"x", "i", "name"}
    np.testing.assert_array_equal(batch["x"].numpy(), [[0, 0], [1, 1], [2, 4], [3, 9]])
    assert batch["i"].tolist() == [0, 1, 2, 3] and batch["name"] == ["s0", "s1", "s2", "s3"]


def test_default_collate_cases():
    Point = collections.namedtuple("Point", "x y")
    p = default_collate([Point(1.0, np.float32(2)), Point(3.0, np.float32(4))])
    assert isinstance(p, Point) and p.x.dtype == np.float64 and p.y.dtype == np.float32
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([1, 2]).dtype == np.int64
    assert default_collate([[1, 2], [3, 4]])[1].tolist() == [2, 4]
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])
    assert isinstance(default_convert(np.zeros(2)), wg.Tensor)
    assert default_convert("s") == "s"


def test_batch_size_none_gives_unbatched_samples():
    loader = DataLoader(np.arange(4.0), batch_size=None)
    out = list(loader)
    assert len(loader) == 4 and [o.item() for o in out] == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="mutually exclusive with drop_last"):
        DataLoader(np.arange(4.0), batch_size=None, drop_last=True)


def test_custom_collate_fn_and_batch_sampler():
    seen = []
    loader = DataLoader(np.arange(6), batch_size=4, collate_fn=lambda b: seen.append(b) or
                        len(b))
    assert list(loader) == [4, 2] and [len(s) for s in seen] == [4, 2]
    bs = BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False)
    assert list(bs) == [[0, 1], [2, 3], [4]] and len(bs) == 3
    loader = DataLoader(np.arange(5.0), batch_sampler=[[4, 0], [2]])
    assert [b.tolist() for b in loader] == [[4.0, 0.0], [2.0]]
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(np.arange(5.0), batch_size=2, batch_sampler=[[0]])
    with pytest.raises(ValueError, match="sampler option is mutually exclusive"):
        DataLoader(np.arange(5.0), sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="positive integer"):
        BatchSampler(range(3), 0, False)


def test_iterable_dataset_batches_and_refuses_shuffle():
    loader = DataLoader(Stream(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [len(b) for b in DataLoader(Stream(7), batch_size=3, drop_last=True)] == [3, 3]
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(TypeError):
        len(DataLoader(Stream(3)))


# ---------------------------------------------------------------- shuffling

def _order(loader):
    return np.concatenate([b[1].numpy() for b in loader]).tolist()


def test_shuffle_is_a_permutation_repeatable_by_manual_seed():
    x, y = _xy(20)
    loader = DataLoader(TensorDataset(x, y), batch_size=6, shuffle=True)
    wg.manual_seed(123)
    first, second = _order(loader), _order(loader)
    assert sorted(first) == list(range(20)) and sorted(second) == list(range(20))
    assert first != second and first != list(range(20))  # a new order each pass
    wg.manual_seed(123)
    assert _order(loader) == first and _order(loader) == second
    # rows stay together
    for bx, by in loader:
        np.testing.assert_array_equal(bx.numpy(), x[by.numpy()])


def test_a_given_generator_drives_the_order_and_leaves_the_default_alone():
    x, y = _xy(15)
    ds = TensorDataset(x, y)
    a = DataLoader(ds, batch_size=4, shuffle=True, generator=Generator(7))
    b = DataLoader(ds, batch_size=4, shuffle=True, generator=Generator(7))
    wg.manual_seed(0)
    before = wg.rand(3).numpy()
    wg.manual_seed(0)
    assert _order(a) == _order(b)
    np.testing.assert_array_equal(wg.rand(3).numpy(), before)


def test_fast_tensor_dataset_path_matches_sample_by_sample():
    class Slow(TensorDataset):
        def __getitem__(self, index):
            return super().__getitem__(index)

    x, y = _xy(11)
    fast = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True,
                      generator=Generator(3))
    slow = DataLoader(Slow(x, y), batch_size=4, shuffle=True, generator=Generator(3))
    for (fx, fy), (sx, sy) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        np.testing.assert_array_equal(fy.numpy(), sy.numpy())
        assert fx.dtype == sx.dtype and fy.dtype == sy.dtype


def test_samplers():
    s = RandomSampler(range(5), replacement=True, num_samples=40, generator=Generator(0))
    drawn = list(s)
    assert len(s) == len(drawn) == 40 and set(drawn) <= set(range(5))
    s = RandomSampler(range(4), num_samples=10, generator=Generator(0))
    drawn = list(s)
    assert len(drawn) == 10 and sorted(drawn[:4]) == [0, 1, 2, 3]
    sub = list(SubsetRandomSampler([10, 20, 30], generator=Generator(0)))
    assert sorted(sub) == [10, 20, 30]
    loader = DataLoader(np.arange(6.0), sampler=[5, 3, 1], batch_size=2)
    assert [b.tolist() for b in loader] == [[5.0, 3.0], [1.0]] and len(loader) == 2


# ---------------------------------------------------------------- with an optimiser

def test_minibatch_training_fits_a_line():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2))
    y = x @ np.array([2.0, -3.0]) + 0.5
    w = wg.zeros(2, dtype=wg.float64, requires_grad=True)
    b = wg.zeros(1, dtype=wg.float64, requires_grad=True)
    opt = optim.SGD([w, b], lr=0.1, momentum=0.5)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True,
                        generator=Generator(0))
    for _ in range(30):
        for xb, yb in loader:
            opt.zero_grad()
            loss = ((xb @ w + b - yb) ** 2).mean()
            loss.backward()
            opt.step()
    np.testing.assert_allclose(w.detach().numpy(), [2.0, -3.0], atol=1e-6)
    np.testing.assert_allclose(b.detach().numpy(), [0.5], atol=1e-6)


# ---------------------------------------------------------------- against PyTorch

def _structure(batch):
    """Types, shapes and dtypes of a batch, named the same for both libraries."""
    if hasattr(batch, "shape") and hasattr(batch, "dtype"):
        return ("tensor", tuple(batch.shape), str(batch.dtype).split(".")[-1])
    if isinstance(batch, dict):
        return {k: _structure(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [_structure(b) for b in batch])
    return batch


def test_batches_and_lengths_match_pytorch():
    torch = pytest.importorskip("torch")
    tdata = pytest.importorskip("torch.utils.data")
    x, y = _xy(10)
    cases = [
        (lambda m: m.TensorDataset(*(m.tensor(a) for a in (x, y))), dict(batch_size=4)),
        (lambda m: m.TensorDataset(*(m.tensor(a) for a in (x, y))),
         dict(batch_size=4, drop_last=True)),
        (lambda m: Squares(7), dict(batch_size=3)),
        (lambda m: [(np.full(2, i, dtype=np.float32), float(i), i) for i in range(5)],
         dict(batch_size=2)),
        (lambda m: np.arange(6.0), dict(batch_size=None)),
    ]
    ours = type("M", (), {"TensorDataset": TensorDataset, "tensor": wg.tensor})
    theirs = type("M", (), {"TensorDataset": tdata.TensorDataset,
                            "tensor": torch.tensor})
    for make, kw in cases:
        lw = DataLoader(make(ours), **kw)
        lt = tdata.DataLoader(make(theirs), **kw)
        assert len(lw) == len(lt)
        bw, bt = list(lw), list(lt)
        assert [_structure(b) for b in bw] == [_structure(b) for b in bt]
        for a, b in zip(bw, bt):
            flat_a = a if isinstance(a, list) else [a]
            flat_b = b if isinstance(b, list) else [b]
            for u, v in zip(flat_a, flat_b):
                if hasattr(v, "numpy"):
                    np.testing.assert_array_equal(np.asarray(u.numpy()), v.numpy())
