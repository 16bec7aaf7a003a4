"""An independent reader of litho's safetensors export, stdlib only.

Usage: safetensors_check.py FILE X_JSON. Checks the header and the data
offsets, then prints JSON: the tensor names, the metadata, the first and
last value of each tensor, and the encoder mean of the row X computed from
the weights as docs/checkpoint.md describes them (joint encoder).
"""
import json
import struct
import sys


def read(path):
    b = open(path, "rb").read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8 : 8 + n])
    data = b[8 + n :]
    meta = header.pop("__metadata__")
    assert all(isinstance(v, str) for v in meta.values()), meta
    tensors, end = {}, 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        assert e["dtype"] == "F32", (name, e)
        begin, stop = e["data_offsets"]
        assert begin == end, f"{name}: gap or overlap at {begin}, want {end}"
        size = 1
        for d in e["shape"]:
            size *= d
        assert stop - begin == 4 * size, f"{name}: {stop - begin} bytes for shape {e['shape']}"
        tensors[name] = (e["shape"], struct.unpack(f"<{size}f", data[begin:stop]))
        end = stop
    assert end == len(data), f"{len(data) - end} trailing bytes"
    return meta, tensors


def dense(tensors, name, h):
    # [in + 1, out], row-major; the last row is the bias.
    (rows, out), w = tensors[name + ".weights"]
    assert rows == len(h) + 1
    return [sum(h[i] * w[i * out + j] for i in range(len(h))) + w[len(h) * out + j] for j in range(out)]


def batch_norm(tensors, name, h):
    get = lambda v: tensors[f"{name}.batch_norm.{v}"][1]
    scale, offset, mean, var = get("scale"), get("offset"), get("mean"), get("variance")
    return [(h[j] - mean[j]) / (var[j] + 1e-5) ** 0.5 * scale[j] + offset[j] for j in range(len(h))]


def encode(tensors, cfg, x):
    h = x
    for i in range(len(cfg["hidden"])):
        name = f"encoder.hidden_{i}"
        h = batch_norm(tensors, name, [max(v, 0.0) for v in dense(tensors, name, h)])
    return dense(tensors, "encoder.mu", h)


def main():
    meta, tensors = read(sys.argv[1])
    cfg = json.loads(meta["config"])
    assert json.loads(meta["features"]) == cfg["features"]
    print(json.dumps({
        "names": sorted(tensors),
        "metadata": meta,
        "ends": {n: [v[0], v[-1]] for n, (_, v) in tensors.items()},
        "mu": encode(tensors, cfg, json.loads(sys.argv[2])),
    }))


main()
