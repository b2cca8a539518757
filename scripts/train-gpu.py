#!/usr/bin/env python3
"""Train the vaec intra model on a GPU with PyTorch, in checkpoints `vaec train` reads.

The product's trainer is `vaec train` (C++, LibTorch, CPU). A lent GPU machine has PyTorch but
no FFmpeg, so this script mirrors that trainer's network, loss and optimiser step for step
(tools/train/trainer.cpp, codec/model/vae.cpp, layers.cpp, entropy_bottleneck.cpp) and reads
and writes the same checkpoint container (codec/model/tensor_file.h). Data comes as random
crops that `vaec-export-crops` drew with the C++ loader. Afterwards, on the CPU machine:

    vaec train --out DIR --resume ...            # continue, validate
    vaec train --out DIR --export M.vaem --export-only

Usage:
    train-gpu.py --crops train.crops.xz --checkpoint IN.vckp --out OUT.vckp --minutes 8
    train-gpu.py ... --init-from IN.vckp --synthesis-channels 24   # a new, narrower g_s

Needs torch and xxhash (both on the lent machines); runs on CPU too (slowly: for testing).
"""
import argparse
import json
import lzma
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import xxhash

CHECKPOINT_MAGIC = b"VAECKPT\0"
CHECKPOINT_VERSION = 1
PEDESTAL = 2.0 ** -36
SCALE_BOUND = 0.11
DTYPE_CODES = {1: torch.float32, 2: torch.bfloat16, 3: torch.int32, 4: torch.int16,
               5: torch.int64, 6: torch.uint8, 7: torch.float64, 8: torch.float16}
CODE_OF = {v: k for k, v in DTYPE_CODES.items()}
# Element types read through numpy; the 16-bit floats travel as int16 and are viewed back.
NUMPY_OF = {torch.float32: np.float32, torch.bfloat16: np.int16, torch.int32: np.int32,
            torch.int16: np.int16, torch.int64: np.int64, torch.uint8: np.uint8,
            torch.float64: np.float64, torch.float16: np.int16}


# ---- the tensor container (codec/model/tensor_file.h) ----

def read_tensor_file(path, magic=CHECKPOINT_MAGIC, version=CHECKPOINT_VERSION):
    data = open(path, "rb").read()
    if len(data) < 28 or data[:8] != magic:
        sys.exit(f"{path}: not a {magic[:4].decode()} file")
    file_version, digest, size = struct.unpack_from("<IQQ", data, 8)
    payload = memoryview(data)[28:]
    if file_version != version or size != len(payload) or xxhash.xxh64_intdigest(payload) != digest:
        sys.exit(f"{path}: wrong version, truncated or damaged")
    pos = 0

    def take(n):
        nonlocal pos
        pos += n
        return payload[pos - n:pos]

    meta = json.loads(bytes(take(struct.unpack("<I", take(4))[0])).decode())
    tensors = {}
    for _ in range(struct.unpack("<I", take(4))[0]):
        name = bytes(take(struct.unpack("<H", take(2))[0])).decode()
        code, ndim = struct.unpack("<BB", take(2))
        dims = struct.unpack(f"<{ndim}q", take(8 * ndim))
        dtype = DTYPE_CODES[code]
        count = int(np.prod(dims)) if dims else 1
        array = np.frombuffer(take(count * np.dtype(NUMPY_OF[dtype]).itemsize), dtype=NUMPY_OF[dtype]).copy()
        t = torch.from_numpy(array)
        if dtype in (torch.bfloat16, torch.float16):
            t = t.view(dtype)
        tensors[name] = t.reshape(dims)
    return meta, tensors


def write_tensor_file(path, meta, tensors, magic=CHECKPOINT_MAGIC, version=CHECKPOINT_VERSION):
    meta_bytes = json.dumps(meta).encode()
    parts = [struct.pack("<I", len(meta_bytes)), meta_bytes, struct.pack("<I", len(tensors))]
    for name, t in tensors:
        t = t.detach().to("cpu").contiguous()
        raw = t.view(torch.int16) if t.dtype in (torch.bfloat16, torch.float16) else t
        parts += [struct.pack("<H", len(name)), name.encode(), struct.pack("<BB", CODE_OF[t.dtype], t.dim()),
                  struct.pack(f"<{t.dim()}q", *t.shape), raw.numpy().tobytes()]
    payload = b"".join(parts)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(magic + struct.pack("<IQQ", version, xxhash.xxh64_intdigest(payload), len(payload)) + payload)
    os.replace(tmp, path)


# ---- the network (codec/model/vae.cpp, layers.cpp, entropy_bottleneck.cpp) ----

class LowerBound(torch.autograd.Function):
    """max(x, bound) whose gradient still flows where descent would push x back up."""

    @staticmethod
    def forward(ctx, x, bound):
        ctx.save_for_backward(x)
        ctx.bound = bound
        return x.clamp_min(bound)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ((x >= ctx.bound) | (grad < 0)).to(grad.dtype), None


class Gdn(nn.Module):
    def __init__(self, channels, inverse):
        super().__init__()
        self.inverse = inverse
        self.beta = nn.Parameter(torch.sqrt(torch.ones(channels) + PEDESTAL))
        self.gamma = nn.Parameter(torch.sqrt(0.1 * torch.eye(channels) + PEDESTAL))

    def forward(self, x):
        c = self.beta.numel()
        beta = LowerBound.apply(self.beta, math.sqrt(1e-6 + PEDESTAL)).square() - PEDESTAL
        gamma = LowerBound.apply(self.gamma, math.sqrt(PEDESTAL)).square() - PEDESTAL
        norm = F.conv2d(x * x, gamma.view(c, c, 1, 1), beta)
        return x * torch.sqrt(norm) if self.inverse else x * torch.rsqrt(norm)


class SubPixelConv(nn.Module):
    def __init__(self, cin, cout, kernel, r):
        super().__init__()
        self.r = r
        self.conv = conv(cin, cout * r * r, kernel)

    def forward(self, x):
        return F.pixel_shuffle(self.conv(x), self.r)


def conv(cin, cout, kernel, stride=1):
    return nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2)


class EntropyBottleneck(nn.Module):
    def __init__(self, channels, filters=(3, 3, 3), init_scale=10.0):
        super().__init__()
        dims = [1, *filters, 1]
        layers = len(dims) - 1
        scale = init_scale ** (1.0 / layers)
        self.layers = layers
        for i in range(layers):
            init = math.log(math.expm1(1.0 / scale / dims[i + 1]))
            setattr(self, f"matrix{i}", nn.Parameter(torch.full((channels, dims[i + 1], dims[i]), init)))
            setattr(self, f"bias{i}", nn.Parameter(torch.rand(channels, dims[i + 1], 1) - 0.5))
            if i + 1 < layers:
                setattr(self, f"factor{i}", nn.Parameter(torch.zeros(channels, dims[i + 1], 1)))

    def logits_cumulative(self, x):
        for i in range(self.layers):
            x = torch.matmul(F.softplus(getattr(self, f"matrix{i}")), x) + getattr(self, f"bias{i}")
            if i + 1 < self.layers:
                x = x + torch.tanh(getattr(self, f"factor{i}")) * torch.tanh(x)
        return x

    def likelihood(self, z):
        n, c, h, w = z.shape
        v = z.permute(1, 0, 2, 3).reshape(c, 1, -1)
        lower = self.logits_cumulative(v - 0.5)
        upper = self.logits_cumulative(v + 0.5)
        sign = -torch.sign(lower + upper).detach()
        lik = torch.abs(torch.sigmoid(sign * upper) - torch.sigmoid(sign * lower)).clamp_min(1e-9)
        return lik.reshape(c, n, h, w).permute(1, 0, 2, 3)


def gaussian_likelihood(v, sigma):
    a = torch.abs(v)
    k = 1.0 / math.sqrt(2.0)
    upper = 0.5 * torch.erfc(-(0.5 - a) / sigma * k)
    lower = 0.5 * torch.erfc(-(-0.5 - a) / sigma * k)
    return (upper - lower).clamp_min(1e-9)


def bits(likelihood):
    return -torch.log2(likelihood).flatten(1).sum(1)


def straight_through(x, value):
    return x + (value - x).detach()


class Vae(nn.Module):
    def __init__(self, config):
        super().__init__()
        N, M, Nz = config["N"], config["M"], config["Nz"]
        S = config.get("Ns", 0) or N
        L = len(config["lambdas"])
        self.M = M
        self.g_a = nn.Sequential(conv(6, N, 5, 2), Gdn(N, False), conv(N, N, 5, 2), Gdn(N, False), conv(N, M, 5, 2))
        self.g_s = nn.Sequential(SubPixelConv(M, S, 3, 2), Gdn(S, True), SubPixelConv(S, S, 3, 2), Gdn(S, True),
                                 SubPixelConv(S, 6, 3, 2))
        self.h_a = nn.Sequential(conv(M, N, 3, 1), nn.ReLU(), conv(N, N, 3, 2), nn.ReLU(), conv(N, Nz, 3, 2))
        self.h_s = nn.Sequential(SubPixelConv(Nz, N, 3, 2), nn.ReLU(), SubPixelConv(N, N, 3, 2), nn.ReLU(),
                                 conv(N, 2 * M, 1, 1))
        self.entropy_bottleneck = EntropyBottleneck(Nz)
        init = torch.linspace(-1.5, 1.5, L).view(L, 1).expand(L, M).clone() if L > 1 else torch.zeros(1, M)
        self.log_gain = nn.Parameter(init)
        self.log_inverse_gain = nn.Parameter(-init)

    def gains(self, table, levels):
        return torch.exp(table.index_select(0, levels)).view(-1, self.M, 1, 1)

    def forward_train(self, x, levels):
        y = self.g_a(x) * self.gains(self.log_gain, levels)
        z = self.h_a(y)
        z_lik = self.entropy_bottleneck.likelihood(z + torch.rand_like(z) - 0.5)
        z_hat = straight_through(z, torch.round(z))
        mu, sigma = self.h_s(z_hat).chunk(2, 1)
        sigma = LowerBound.apply(sigma, SCALE_BOUND)
        y_lik = gaussian_likelihood(y + torch.rand_like(y) - 0.5 - mu, sigma)
        y_hat = straight_through(y, torch.round(y - mu) + mu)
        x_hat = self.g_s(y_hat * self.gains(self.log_inverse_gain, levels))
        return x_hat, bits(y_lik) + bits(z_lik)


def mse_yuv(a, b):
    se = (a - b).square()
    return (6.0 * se[:, 0:4].mean((1, 2, 3)) + se[:, 4].mean((1, 2)) + se[:, 5].mean((1, 2))) / 8.0


# ---- data: I420 crops from vaec-export-crops, as 6-channel tensors (codec/model/layout.cpp) ----

def load_crops(path, device):
    raw = lzma.open(path).read() if path.endswith(".xz") else open(path, "rb").read()
    if raw[:8] != b"VAECROPS":
        sys.exit(f"{path}: not a vaec-export-crops file")
    count, size = struct.unpack_from("<II", raw, 8)
    h = size // 2
    frames = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, size * size * 3 // 2)
    yy = frames[:, :size * size].reshape(count, size, size)
    u = frames[:, size * size:size * size + h * h].reshape(count, h, h)
    v = frames[:, size * size + h * h:].reshape(count, h, h)
    # Luma phase (dy, dx) is channel 2*dy + dx, then U and V (kept as bytes until a batch is drawn).
    planes = np.stack([yy[:, 0::2, 0::2], yy[:, 0::2, 1::2], yy[:, 1::2, 0::2], yy[:, 1::2, 1::2], u, v], axis=1)
    return torch.from_numpy(np.ascontiguousarray(planes)).to(device)


def random_batch(crops, batch, patch, rng):
    """Random patch x patch crops (even luma offsets) of random stored crops, half mirrored."""
    n, _, h, w = crops.shape
    p = patch // 2
    parts = []
    for _ in range(batch):
        i, oy, ox = int(rng.integers(n)), int(rng.integers(h - p + 1)), int(rng.integers(w - p + 1))
        c = crops[i, :, oy:oy + p, ox:ox + p]
        if rng.random() < 0.5:  # mirroring swaps even/odd luma columns (channels 0<->1, 2<->3)
            c = c[[1, 0, 3, 2, 4, 5]].flip(2)
        parts.append(c)
    return torch.stack(parts).float() / 255.0 - 0.5


# ---- training (tools/train/trainer.cpp) ----

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crops", required=True, help="vaec-export-crops output (.crops or .crops.xz)")
    ap.add_argument("--checkpoint", help="resume this checkpoint (weights, Adam state, step)")
    ap.add_argument("--init-from", help="start a new run from the matching tensors of this checkpoint")
    ap.add_argument("--synthesis-channels", type=int, default=0, help="g_s width of a new run (0: N)")
    ap.add_argument("--out", required=True, help="checkpoint to write (periodically and at the end)")
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--patch", type=int, default=192)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--decay-at", type=float, default=0.7, help="fraction of --minutes after which lr drops 10x")
    ap.add_argument("--warmup-steps", type=int, default=1000)
    ap.add_argument("--level-balance", type=float, default=0.5)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--checkpoint-seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    if bool(args.checkpoint) == bool(args.init_from):
        sys.exit("give exactly one of --checkpoint and --init-from")
    start = time.time()
    device = torch.device(args.device)
    torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest kernels
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    source_meta, source = read_tensor_file(args.checkpoint or args.init_from)
    config = dict(source_meta["config"])
    if args.init_from and args.synthesis_channels > 0:
        if args.synthesis_channels != config["N"]:
            config["Ns"] = args.synthesis_channels
        else:
            config.pop("Ns", None)
    net = Vae(config).to(device)
    params = dict(net.named_parameters())
    copied = 0
    with torch.no_grad():
        for name, p in params.items():
            src = source.get("param/" + name)
            if src is not None and tuple(src.shape) == tuple(p.shape):
                p.copy_(src.float())
                copied += 1
            elif args.checkpoint:
                sys.exit(f"{args.checkpoint}: tensor param/{name} is missing or has the wrong shape")
    plist = list(params.values())
    optimizer = torch.optim.Adam(plist, lr=args.lr, betas=(0.9, 0.999), eps=1e-8, foreach=True)
    step, prior_seconds = 0, 0.0
    if args.checkpoint:
        step, prior_seconds, adam_t = source_meta["step"], source_meta["train_seconds"], source_meta["adam_t"]
        for name, p in params.items():
            optimizer.state[p] = {"step": torch.tensor(float(adam_t)),
                                  "exp_avg": source["adam_m/" + name].float().to(device),
                                  "exp_avg_sq": source["adam_v/" + name].float().to(device)}
    print(f"{args.out}: {copied} of {len(params)} tensors from {args.checkpoint or args.init_from}, "
          f"step {step}, config {json.dumps(config)}, device {device}", flush=True)

    crops = load_crops(args.crops, device)
    print(f"{crops.shape[0]} crops of {crops.shape[2] * 2} px on {device}", flush=True)
    if args.patch % 64 or not 64 <= args.patch <= crops.shape[2] * 2:
        sys.exit(f"--patch must be a multiple of 64 between 64 and the crops' size ({crops.shape[2] * 2})")
    lambdas = torch.tensor(config["lambdas"], device=device)
    lambda_mid = math.sqrt(config["lambdas"][0] * config["lambdas"][-1])
    weights = (lambda_mid / lambdas) ** args.level_balance
    L = len(config["lambdas"])

    def save():
        adam_t = int(optimizer.state[plist[0]]["step"]) if plist[0] in optimizer.state else 0
        meta = {"kind": "vaec training checkpoint", "step": step, "adam_t": adam_t,
                "train_seconds": prior_seconds + time.time() - start, "config": config,
                "trained_by": "scripts/train-gpu.py"}
        tensors = []
        for name, p in params.items():
            state = optimizer.state.get(p, {})
            tensors.append(("param/" + name, p.detach().float()))
            tensors.append(("adam_m/" + name, state.get("exp_avg", torch.zeros_like(p)).to(torch.bfloat16)))
            tensors.append(("adam_v/" + name, state.get("exp_avg_sq", torch.zeros_like(p)).to(torch.bfloat16)))
        write_tensor_file(args.out, meta, tensors)

    budget = args.minutes * 60.0
    first_step, last_save, last_print = step, time.time(), time.time()
    sums = torch.zeros(3, device=device)
    n_sum = 0
    while True:
        elapsed = time.time() - start
        if elapsed >= budget or (args.max_steps and step - first_step >= args.max_steps):
            break
        lr = args.lr * min(1.0, (step + 1) / max(1, args.warmup_steps))
        if args.decay_at < 1.0 and elapsed >= args.decay_at * budget:
            lr *= 0.1
        for group in optimizer.param_groups:
            group["lr"] = lr
        x = random_batch(crops, args.batch, args.patch, rng)
        levels = torch.randint(0, L, (args.batch,), device=device)
        x_hat, y_bits = net.forward_train(x, levels)
        d = 255.0 * 255.0 * mse_yuv(x_hat, x)
        bpp = y_bits / float(args.patch * args.patch)
        per_sample = bpp + lambdas[levels] * d
        loss = (weights[levels] * per_sample).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(plist, args.clip)
        optimizer.step()
        step += 1
        with torch.no_grad():
            sums += torch.stack([per_sample.mean(), bpp.mean(), (10 * torch.log10(65025.0 / d.clamp_min(1e-10))).mean()])
        n_sum += 1
        now = time.time()
        if now - last_print >= 30 or step - first_step == 20:
            s = (sums / n_sum).tolist()
            if not math.isfinite(s[0]):
                sys.exit(f"training diverged at step {step}; the last checkpoint stays")
            print(f"{os.path.basename(args.out)} step {step}  {(step - first_step) / (now - start):.1f} steps/s  "
                  f"loss {s[0]:.4f}  bpp~{s[1]:.3f}  psnr {s[2]:.2f} dB  lr {lr:.2g}  {now - start:.0f}/{budget:.0f} s",
                  flush=True)
            sums.zero_()
            n_sum = 0
            last_print = now
        if now - last_save >= args.checkpoint_seconds:
            save()
            last_save = now
    save()
    print(f"done: {os.path.basename(args.out)} at step {step} ({step - first_step} this run)", flush=True)


if __name__ == "__main__":
    main()
