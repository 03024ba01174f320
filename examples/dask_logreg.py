"""The gradient of a logistic regression loss over more data than memory holds.

The features X (``--rows`` x ``--cols``, float64) are Dask arrays generated chunk by
chunk (``dask.array.random``: each chunk has its own seed in the graph, so it is made
again identically wherever it is needed and never all at once), the labels come from a
fixed weight vector and noise. The loss, written with ``wengert.numpy`` as for numpy:

    L(w) = mean(log(1 + exp(-s * (X @ w)))) + lam/2 |w|^2,    s = 2 y - 1 in {-1, +1}

``wg.value_and_grad(L)(w)`` with ``w`` a Dask array returns Dask arrays: graphs that
nothing has computed yet. Dask then runs them chunk by chunk, on a
``dask.distributed`` LocalCluster whose workers have a memory limit (the default), or
on Dask's threaded scheduler in this process (``--scheduler threads``).

Two checks, each against a truth that owes nothing to Dask's graph of the gradient:

* on a subsample (the first ``--check-rows`` rows, small enough for memory) the Dask
  gradient equals the in-memory numpy gradient (the same loss on numpy arrays);
* on all the data the gradient equals the closed form
  X^T (sigmoid(X w) - y) / n + lam w, computed by Dask without differentiation.

It prints the data size, the memory limit, the time, and the peak memory (resident
set) of each worker process and of this one.

    python examples/dask_logreg.py                             # 4 GB of features, 1 GB per worker
    python examples/dask_logreg.py --rows 200000 --scheduler threads
"""

import argparse
import resource
import sys
import time

import numpy as np

import wengert as wg
import wengert.numpy as wnp


def make_data(rows, cols, chunk_rows, seed=0):
    """``(X, y)`` as Dask arrays: X standard normal in chunks of ``chunk_rows`` rows,
    y = 1 where X w_true + noise > 0."""
    import dask.array as da
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((rows, cols), chunks=(chunk_rows, cols))
    w_true = np.linspace(-1.0, 1.0, cols)
    noise = rng.standard_normal(rows, chunks=chunk_rows)
    y = ((X @ da.from_array(w_true, chunks=cols) + noise) > 0).astype(np.float64)
    return X, y


def loss(w, X, y, lam=1e-3):
    """Mean logistic loss plus an L2 penalty; log(1 + exp(-m)) is logaddexp(0, -m)."""
    margin = (2.0 * y - 1.0) * (X @ w)
    return wnp.mean(wnp.logaddexp(0.0, -margin)) + 0.5 * lam * wnp.sum(w * w)


def closed_form_gradient(w, X, y, lam=1e-3):
    """X^T (sigmoid(X w) - y) / n + lam w, with Dask's (or numpy's) own operations."""
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return X.T @ (p - y) / X.shape[0] + lam * w


def _peak_rss_mb(usage=None):
    """The peak resident set of this process (or of the one ``usage`` came from)."""
    usage = usage or resource.getrusage(resource.RUSAGE_SELF)
    scale = 1 if sys.platform == "darwin" else 1024  # kilobytes on Linux, bytes on macOS
    return usage.ru_maxrss * scale / 2**20


def run(rows, cols, chunk_rows, check_rows, client=None, scheduler="threads", seed=0):
    """Compute the loss and its gradient at a fixed w over all the data, check them,
    and return the figures (a dict)."""
    import dask
    import dask.array as da

    X, y = make_data(rows, cols, chunk_rows, seed)
    w_np = np.full(cols, 0.1)
    w = da.from_array(w_np, chunks=cols)

    t0 = time.perf_counter()
    value, grad = wg.value_and_grad(loss)(w, X, y)   # graphs: nothing computed yet
    t_trace = time.perf_counter() - t0
    assert isinstance(grad, da.Array), type(grad)
    tasks = len(dict(grad.__dask_graph__()))

    reference = closed_form_gradient(w, X, y)
    t0 = time.perf_counter()
    if client is not None:
        value, grad, reference = client.compute([value, grad, reference], sync=True)
    else:
        value, grad, reference = dask.compute(value, grad, reference, scheduler=scheduler)
    t_compute = time.perf_counter() - t0
    full_error = float(np.max(np.abs(grad - reference)) / np.max(np.abs(reference)))

    # the subsample: the same loss on numpy arrays in memory, differentiated by wengert
    m = min(check_rows, rows)
    sub = wg.grad(loss)(w, X[:m], y[:m])
    if client is not None:
        sub, Xm, ym = client.compute([sub, X[:m], y[:m]], sync=True)
    else:
        sub, Xm, ym = dask.compute(sub, X[:m], y[:m], scheduler=scheduler)
    in_memory = wg.grad(loss)(w_np, Xm, ym)
    sub_error = float(np.max(np.abs(sub - in_memory)) / np.max(np.abs(in_memory)))

    # each worker's own getrusage (a function of the standard library travels by name)
    workers = client.run(resource.getrusage, resource.RUSAGE_SELF) if client else {}
    workers = {k: _peak_rss_mb(u) for k, u in workers.items()}
    return {"rows": rows, "cols": cols, "chunk_rows": chunk_rows,
            "data_gb": rows * cols * 8 / 1e9, "chunks": -(-rows // chunk_rows),
            "tasks": tasks, "trace_s": t_trace, "compute_s": t_compute,
            "loss": float(value), "grad_norm": float(np.linalg.norm(grad)),
            "closed_form_rel_error": full_error, "check_rows": m,
            "subsample_rel_error": sub_error,
            "worker_peak_mb": sorted(workers.values()), "process_peak_mb": _peak_rss_mb()}


def report(r, where):
    return "\n".join([
        f"features: {r['rows']:,} x {r['cols']} float64 = {r['data_gb']:.2f} GB in "
        f"{r['chunks']} chunks of {r['chunk_rows']:,} rows ({r['chunk_rows'] * r['cols'] * 8 / 2**20:.0f} MiB)",
        f"computed on: {where}",
        f"gradient graph: {r['tasks']:,} tasks, traced in {r['trace_s']:.2f} s, computed "
        f"(loss, gradient and closed form together) in {r['compute_s']:.1f} s",
        f"loss {r['loss']:.6f}, |grad| {r['grad_norm']:.6f}",
        f"vs the closed form X^T (sigmoid(Xw) - y)/n + lam w: max relative error "
        f"{r['closed_form_rel_error']:.2e}",
        f"vs the in-memory numpy gradient on the first {r['check_rows']:,} rows: max "
        f"relative error {r['subsample_rel_error']:.2e}",
        "peak resident memory: " + (
            "workers " + ", ".join(f"{m:.0f} MiB" for m in r["worker_peak_mb"]) + "; "
            if r["worker_peak_mb"] else "") + f"this process {r['process_peak_mb']:.0f} MiB",
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--check-rows", type=int, default=120_000)
    parser.add_argument("--scheduler", choices=["distributed", "threads"],
                        default="distributed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="1GB", help="per worker (distributed)")
    args = parser.parse_args(argv)
    try:
        import dask.array  # noqa: F401
    except ImportError:
        print("this example needs Dask: pip install 'wengert[dask]'")
        return 1
    if args.scheduler == "threads":
        r = run(args.rows, args.cols, args.chunk_rows, args.check_rows)
        print(report(r, "Dask's threaded scheduler, in this process"))
    else:
        from dask.distributed import Client, LocalCluster
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          memory_limit=args.memory_limit, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            r = run(args.rows, args.cols, args.chunk_rows, args.check_rows, client=client)
        print(report(r, f"a dask.distributed LocalCluster, {args.workers} worker processes "
                        f"of 1 thread, memory limit {args.memory_limit} each"))
    ok = r["closed_form_rel_error"] < 1e-9 and r["subsample_rel_error"] < 1e-9
    print("gradient checks: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
