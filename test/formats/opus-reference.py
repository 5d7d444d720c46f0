"""Independent reading of the OPUS fixtures for test/formats/opus.test.ts (standard library
only; written from the file layout, not from src/formats/opus.ts). Run from the repo root:
    python3 test/formats/opus-reference.py
It prints, per file, the AB axis and the absorbance at fixed point indices and at the points
nearest a few bands, which the test pins (a reversed or shifted reading fails)."""
import struct

def blocks(b):
    d, = struct.unpack_from("<i", b, 12)
    n, = struct.unpack_from("<i", b, 20)
    for i in range(n):
        o = d + 12 * i
        words, off = struct.unpack_from("<ii", b, o + 4)
        yield tuple(b[o:o + 4]), words * 4, off

def params(b, off, ln):
    out, p = {}, off
    while p + 8 <= off + ln:
        name = b[p:p + 3].decode("latin1")
        if name == "END":
            break
        t, s = struct.unpack_from("<HH", b, p + 4)
        v = p + 8
        if t == 0:
            out[name] = struct.unpack_from("<i", b, v)[0]
        elif t == 1:
            out[name] = struct.unpack_from("<d", b, v)[0]
        p = v + 2 * s
    return out

for f in ["235157XS01.0", "icr056141.0"]:
    b = open("../shared/data/ossl-samples/" + f, "rb").read()
    bl = {t: (ln, off) for t, ln, off in blocks(b)}
    ln, off = bl[(15, 16, 0, 0)]
    p = params(b, *reversed(bl[(31, 16, 0, 0)]))
    npt, fxv, lxv = p["NPT"], p["FXV"], p["LXV"]
    vals = struct.unpack_from("<%df" % npt, b, off)
    step = (lxv - fxv) / (npt - 1)
    print(f, npt, repr(fxv), repr(lxv))
    for i in [0, 1, 100, npt // 2, npt - 2, npt - 1]:
        print("  index", i, repr(vals[i]))
    for band in [3620, 2920, 1630, 1030, 800]:
        i = round((band - fxv) / step)
        print("  band", band, "index", i, "wn", round(fxv + i * step, 4), repr(vals[i]))
