"""PyTorch's beginner "learning PyTorch with examples" programs, ported by changing the
import line only (``import torch`` became ``import wengert as torch``): a cubic fitted
to sin(x) by hand-written updates with autograd, with a custom autograd Function, with
nn, with optim, with a custom Module, and with a dynamic network; and the autograd
tutorial's tensor checks. Each runs as written and ends where PyTorch's does."""

import math
import random

import numpy as np
import pytest

import wengert as torch

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _close_to_sin(a, b, c, d):
    # the least-squares cubic on [-pi, pi]: PyTorch's tutorial prints about
    # y = -0.0 + 0.85 x - 0.0 x^2 - 0.09 x^3 after 2000 steps
    assert abs(a) < 0.1 and abs(c) < 0.05
    assert 0.8 < b < 0.9 and -0.1 < d < -0.08


def test_polynomial_with_tensors_and_autograd():
    dtype = torch.float
    device = torch.device("cpu")
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    d = torch.randn((), device=device, dtype=dtype, requires_grad=True)
    learning_rate = 1e-6
    losses = []
    for t in range(2000):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    assert losses[-1] < losses[0] and losses[-1] < 50
    print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
    _close_to_sin(a.item(), b.item(), c.item(), d.item())


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def test_polynomial_with_a_custom_autograd_function():
    dtype = torch.float
    device = torch.device("cpu")
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    first = None
    for t in range(2000):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if first is None:
            first = loss.item()
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    # PyTorch's run ends near y = -6e-10 - 2.2 P3(-1e-10 + 0.26 x), loss about 9
    assert loss.item() < first / 10 and loss.item() < 20
    assert b.item() == pytest.approx(-2.2, abs=0.1)
    assert d.item() == pytest.approx(0.255, abs=0.01)


def _xx_and_y():
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    return x, y, xx


def test_polynomial_with_nn():
    torch.manual_seed(0)
    x, y, xx = _xx_and_y()
    assert xx.shape == (2000, 3) and xx.dtype == torch.float32
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 1),
        torch.nn.Flatten(0, 1)
    )
    loss_fn = torch.nn.MSELoss(reduction='sum')
    learning_rate = 1e-6
    for t in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    _close_to_sin(linear_layer.bias.item(), linear_layer.weight[:, 0].item(),
                  linear_layer.weight[:, 1].item(), linear_layer.weight[:, 2].item())


def test_polynomial_with_optim():
    torch.manual_seed(0)
    x, y, xx = _xx_and_y()
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 1),
        torch.nn.Flatten(0, 1)
    )
    loss_fn = torch.nn.MSELoss(reduction='sum')
    learning_rate = 1e-3
    optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
    for t in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    linear_layer = model[0]
    # RMSprop lands on the same least-squares cubic (to within its step noise)
    assert loss.item() < 20
    assert linear_layer.weight[:, 0].item() == pytest.approx(0.857, abs=0.03)
    assert linear_layer.weight[:, 2].item() == pytest.approx(-0.093, abs=0.01)


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'


def test_polynomial_as_a_custom_module():
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = Polynomial3()
    assert [n for n, _ in model.named_parameters()] == ["a", "b", "c", "d"]
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for t in range(2000):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert model.string().startswith("y = ")
    _close_to_sin(model.a.item(), model.b.item(), model.c.item(), model.d.item())


class DynamicNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y


def test_dynamic_net_with_momentum():
    torch.manual_seed(0)
    random.seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = DynamicNet()
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    losses = []
    for t in range(3000):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert np.isfinite(losses[-1]) and min(losses[-100:]) < losses[0]


def test_autograd_tutorial_tensors():
    torch.manual_seed(0)
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    assert z.grad_fn is not None and loss.grad_fn is not None
    loss.backward()
    # d loss / d z = sigmoid(z) / 3; w's gradient is x outer that
    s = 1 / (1 + np.exp(-z.detach().numpy()))
    np.testing.assert_allclose(b.grad.numpy(), s / 3, rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), np.outer(np.ones(5), s / 3), rtol=1e-6)
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    assert z.requires_grad is False
    z = torch.matmul(x, w) + b
    z_det = z.detach()
    assert z_det.requires_grad is False
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    first = inp.grad.numpy().copy()
    out.backward(torch.ones_like(out), retain_graph=True)
    np.testing.assert_allclose(inp.grad.numpy(), 2 * first)
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    np.testing.assert_allclose(inp.grad.numpy(), first)
    np.testing.assert_allclose(first, 2 * (np.eye(4, 5) + 1))


def test_tensors_tutorial():
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    x_ones = torch.ones_like(x_data)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    assert x_ones.dtype == torch.int64 and x_rand.dtype == torch.float32
    shape = (2, 3,)
    assert torch.rand(shape).shape == (2, 3) and torch.zeros(shape).sum().item() == 0
    tensor = torch.rand(3, 4)
    assert tensor.shape == torch.Size([3, 4]) and tensor.dtype == torch.float32
    assert str(tensor.device) == "cpu" and not torch.cuda.is_available()
    tensor = torch.ones(4, 4)
    tensor[:, 1] = 0
    assert tensor[0].tolist() == [1.0, 0.0, 1.0, 1.0] and tensor[..., -1].sum().item() == 4
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    assert t1.shape == (4, 12)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    z1 = tensor * tensor
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    assert torch.equal(y1, y2) and torch.equal(y1, y3) and torch.equal(z1, z3)
    agg = tensor.sum()
    agg_item = agg.item()
    assert agg_item == 12.0 and isinstance(agg_item, float)
    tensor.add_(5)
    assert tensor[0, 0].item() == 6.0
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    assert n.tolist() == [2.0] * 5
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    assert t.tolist() == [2.0] * 5
    assert x_np.tolist() == data


def test_quickstart_model_and_the_blitz_lenet():
    # "Build the neural network" and the 60-minute blitz's LeNet, as written
    from wengert import nn
    import wengert.nn.functional as F
    import wengert.optim as optim

    device = torch.accelerator.current_accelerator().type \
        if torch.accelerator.is_available() else "cpu"
    assert device == "cpu" and not torch.cuda.is_available()
    assert not torch.backends.mps.is_available()

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                nn.Linear(512, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    model = NeuralNetwork().to(device)
    logits = model(torch.rand(1, 28, 28, device=device))
    pred_probab = nn.Softmax(dim=1)(logits)
    assert pred_probab.sum().item() == pytest.approx(1.0, rel=1e-6)
    assert pred_probab.argmax(1).shape == (1,)
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "linear_relu_stack.0.weight" and len(names) == 6

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, input):
            s2 = F.max_pool2d(F.relu(self.conv1(input)), (2, 2))
            s4 = torch.flatten(F.max_pool2d(F.relu(self.conv2(s2)), 2), 1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(s4)))))

    torch.manual_seed(0)
    net = Net()
    params = list(net.parameters())
    assert len(params) == 10 and tuple(params[0].size()) == (6, 1, 5, 5)
    input = torch.randn(1, 1, 32, 32)
    net.zero_grad()
    net(input).backward(torch.randn(1, 10))
    target = torch.randn(10).view(1, -1)
    criterion = nn.MSELoss()
    loss = criterion(net(input), target)
    assert loss.grad_fn.next_functions[0][0] is not None
    net.zero_grad()
    assert net.conv1.bias.grad is None
    loss.backward()
    assert tuple(net.conv1.bias.grad.shape) == (6,)
    for f in net.parameters():
        f.data.sub_(f.grad.data * 0.01)
    optimizer = optim.SGD(net.parameters(), lr=0.01)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = criterion(net(input), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
