#!/usr/bin/python3
"""Write the image preprocessing golden cases the Java tests check ImagePreprocessor against.

Makes a few small images from fixed patterns (odd sizes, portrait and landscape, RGB, RGBA,
8- and 16-bit grayscale PNGs, an RGB JPEG, a CMYK one, a CMYK one with an sRGB colour profile, and JPEGs
stored as YCbCr and as RGB with an Adobe RGB colour profile), saves them to tests/src/test/resources/images/,
reads each saved file back with PIL and applies torchvision's

    Compose([Resize(resize), CenterCrop(crop), ToTensor(), Normalize(mean, std)])

to `Image.open(f).convert(mode)` ("RGB" for a 3-channel model, "L" for a 1-channel one), as
torchvision's ImageFolder loader does. The tensors go to images.safetensors, one per case,
and the metadata key `cases` lists every case as JSON: tensor name, image file, mode, resize,
crop, mean, std.

    /usr/bin/python3 tests/reference/make_image_golden.py            # Debian python3-pil + python3-torchvision
    /usr/bin/python3 tests/reference/make_image_golden.py --out DIR  # elsewhere (e.g. to diff)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import struct
import sys

import numpy as np
import PIL
import torchvision
from PIL import Image, ImageCms
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dgnet_reference import write_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "src", "test", "resources", "images"))

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
GRAY_MEAN = [0.5]
GRAY_STD = [0.25]


def pattern(width: int, height: int, channels: int, seed: int) -> np.ndarray:
    """Gradients, a checkerboard with sharp edges (where resampling filters differ most) and noise."""
    y, x = np.mgrid[0:height, 0:width]
    rng = np.random.default_rng(seed)
    planes = []
    for c in range(channels):
        gradient = (x * (3 + c) + y * (5 - c)) % 256
        checker = ((x // (3 + c) + y // 4) % 2) * 90
        noise = rng.integers(0, 40, size=(height, width))
        planes.append((gradient + checker + noise) % 256)
    return np.stack(planes, axis=-1).astype(np.uint8)


def smooth(width: int, height: int) -> np.ndarray:
    """A smooth RGB picture: JPEG keeps it close, so decoders agree within a few steps."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 128 + 100 * np.sin(x / 9.0) * np.cos(y / 13.0)
    g = 255 * x / (width - 1)
    b = 255 * (1 - y / (height - 1))
    return np.clip(np.stack([r, g, b], axis=-1).round(), 0, 255).astype(np.uint8)


def cmyk(width: int, height: int) -> np.ndarray:
    """Smooth ink planes, black included: how PIL turns CMYK into RGB shows wherever K is not 0."""
    y, x = np.mgrid[0:height, 0:width]
    planes = [x * 255 // (width - 1), y * 255 // (height - 1), (x + y) * 127 // (width + height - 2),
              np.clip(x * 8 - 80, 0, 255)]
    return np.stack(planes, axis=-1).astype(np.uint8)


def gray16(width: int, height: int) -> np.ndarray:
    """The grey pattern doubled, with a border of values over 255 (high bytes up to 255)."""
    values = pattern(width, height, 1, 4)[:, :, 0].astype(np.uint16) * 2
    values[:3, :] = np.arange(width) * 1700 + 256
    values[:, -3:] = 65535
    return values


def srgb_profile() -> bytes:
    """An sRGB colour profile: in a CMYK JPEG, a profile not for its colour space, which PIL ignores as it does any."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    # LittleCMS stamps the time it made the profile (header bytes 24-35) and an ID hashed over it (84-99): a fixed
    # date, and no ID (all zero, as the ICC format allows), so that the file is the same every time.
    profile[24:36] = struct.pack(">6H", 2026, 1, 1, 0, 0, 0)
    profile[84:100] = bytes(16)
    return bytes(profile)


def adobe_rgb_profile() -> bytes:
    """An Adobe RGB (1998) colour profile: the sRGB one with Adobe RGB's primaries (adapted to D50, as ICC profiles
    hold them), its gamma of 563/256 and its name. A profile the JDK's JPEG reader would convert pixels from."""
    profile = bytearray(srgb_profile())
    tags = {}
    for i in range(struct.unpack(">I", profile[128:132])[0]):
        signature, offset, size = struct.unpack(">4sII", profile[132 + 12 * i:144 + 12 * i])
        tags[signature.decode("ascii")] = offset

    def fixed(*values: float) -> bytes:
        return struct.pack(f">{len(values)}i", *(round(v * 65536) for v in values))

    for tag, xyz in {"rXYZ": (0.60974, 0.31111, 0.01947), "gXYZ": (0.20528, 0.62567, 0.06087),
                     "bXYZ": (0.14919, 0.06322, 0.74457)}.items():
        profile[tags[tag] + 8:tags[tag] + 20] = fixed(*xyz)
    # The curves (one tag, shared by r, g and b) stay a parametric curve of type 3, Y = (aX + b)^g from X = d on:
    # with a = 1 and b = c = d = 0 a plain gamma.
    profile[tags["rTRC"] + 12:tags["rTRC"] + 32] = fixed(563 / 256, 1, 0, 0, 0)
    profile[tags["chrm"] + 12:tags["chrm"] + 36] = fixed(0.64, 0.33, 0.21, 0.71, 0.15, 0.06)
    name = profile.find("sRGB built-in".encode("utf-16-be"))
    profile[name:name + 26] = "Adobe RGB 98 ".encode("utf-16-be")
    return bytes(profile)


def stored_as_rgb(rgb: np.ndarray, profile: bytes) -> bytes:
    """A JPEG whose components are the RGB samples themselves, as an Adobe APP14 marker with transform 0 says, and
    which carries `profile`. PIL 9.4 has no option to write one: the samples are saved as if they were YCbCr
    (libjpeg stores YCbCr as given, without subsampling here) and the JFIF marker, which would say YCbCr, is swapped
    for the Adobe one."""
    buffer = io.BytesIO()
    Image.frombytes("YCbCr", (rgb.shape[1], rgb.shape[0]), rgb.tobytes()).save(
        buffer, "JPEG", quality=95, subsampling=0, icc_profile=profile)
    jpeg = buffer.getvalue()
    jfif_length = struct.unpack(">H", jpeg[4:6])[0]
    assert jpeg[2:4] == b"\xff\xe0" and jpeg[6:11] == b"JFIF\0", "libjpeg writes the JFIF marker first"
    adobe = b"\xff\xee" + struct.pack(">H", 14) + b"Adobe" + struct.pack(">HHHB", 100, 0, 0, 0)
    return jpeg[:2] + adobe + jpeg[4 + jfif_length:]


def images(out: str) -> dict:
    """Writes the images; returns file name -> path."""
    made = {
        "rgb_97x61.png": Image.fromarray(pattern(97, 61, 3, 1), "RGB"),
        "rgba_50x83.png": Image.fromarray(pattern(50, 83, 4, 2), "RGBA"),
        "gray_45x33.png": Image.fromarray(pattern(45, 33, 1, 3)[:, :, 0], "L"),
        # Mostly under 256, as 8 to 12-bit data stored in 16 bits is, and over it at the edges: PIL opens a 16-bit
        # greyscale PNG as 32-bit integers and clips them to 255 on conversion to "L" or "RGB".
        "gray16_38x27.png": Image.fromarray(gray16(38, 27), "I;16"),
        "photo_64x48.jpg": Image.fromarray(smooth(64, 48), "RGB"),
        "cmyk_40x30.jpg": Image.fromarray(cmyk(40, 30), "CMYK"),
        "cmyk_srgb_profile_40x30.jpg": Image.fromarray(cmyk(40, 30), "CMYK"),
        "photo_adobe_rgb_64x48.jpg": Image.fromarray(smooth(64, 48), "RGB"),
    }
    profiles = {"cmyk_srgb_profile_40x30.jpg": srgb_profile(), "photo_adobe_rgb_64x48.jpg": adobe_rgb_profile()}
    written = {"rgb_adobe_rgb_56x42.jpg": stored_as_rgb(smooth(56, 42)[::-1], adobe_rgb_profile())}
    paths = {}
    for name, jpeg in written.items():
        paths[name] = os.path.join(out, name)
        with open(paths[name], "wb") as f:
            f.write(jpeg)
    for name, image in made.items():
        path = os.path.join(out, name)
        if name in profiles:
            image.save(path, quality=95, icc_profile=profiles[name])
        elif name.endswith(".jpg"):
            image.save(path, quality=95)
        else:
            image.save(path)
        paths[name] = path
    return paths


# (image, mode, resize, crop): downscaling of every kind of file, upscaling (61 -> 80 on the
# short side), a crop equal to the resize, portrait images, RGB to grey and grey to RGB, 16-bit grey (clipped at
# 255 by PIL) to both, CMYK to both, CMYK whose embedded profile is sRGB (PIL ignores it) to both, and JPEGs stored as
# YCbCr and as RGB whose embedded profile is Adobe RGB (PIL ignores it too).
CASES = [
    ("rgb_97x61.png", "RGB", 48, 40),
    ("rgb_97x61.png", "RGB", 80, 72),
    ("rgb_97x61.png", "RGB", 33, 33),
    ("rgb_97x61.png", "L", 48, 40),
    ("rgba_50x83.png", "RGB", 48, 40),
    ("rgba_50x83.png", "RGB", 64, 57),
    ("gray_45x33.png", "L", 48, 40),
    ("gray_45x33.png", "L", 20, 15),
    ("gray_45x33.png", "RGB", 24, 21),
    ("gray16_38x27.png", "L", 30, 24),
    ("gray16_38x27.png", "RGB", 27, 27),
    ("photo_64x48.jpg", "RGB", 48, 40),
    ("photo_64x48.jpg", "RGB", 40, 32),
    ("cmyk_40x30.jpg", "RGB", 36, 32),
    ("cmyk_40x30.jpg", "L", 36, 32),
    ("cmyk_srgb_profile_40x30.jpg", "RGB", 36, 32),
    ("cmyk_srgb_profile_40x30.jpg", "L", 36, 32),
    ("photo_adobe_rgb_64x48.jpg", "RGB", 48, 40),
    ("rgb_adobe_rgb_56x42.jpg", "RGB", 40, 36),
    ("rgb_adobe_rgb_56x42.jpg", "L", 40, 36),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    paths = images(args.out)
    tensors = {}
    cases = []
    for image, mode, resize, crop in CASES:
        mean, std = (IMAGENET_MEAN, IMAGENET_STD) if mode == "RGB" else (GRAY_MEAN, GRAY_STD)
        transform = transforms.Compose([transforms.Resize(resize), transforms.CenterCrop(crop),
                                        transforms.ToTensor(), transforms.Normalize(mean, std)])
        with Image.open(paths[image]) as opened:
            tensor = transform(opened.convert(mode))
        name = f"{os.path.splitext(image)[0]}.{mode}.{resize}.{crop}"
        tensors[name] = tensor.numpy()
        cases.append({"tensor": name, "image": image, "channels": 3 if mode == "RGB" else 1, "resize": resize,
                      "crop": crop, "mean": mean, "std": std})
        print(f"{name}: {list(tensor.shape)}")
    metadata = {"cases": json.dumps(cases), "made_with": f"Pillow {PIL.__version__}, torchvision {torchvision.__version__}"}
    write_safetensors(os.path.join(args.out, "images.safetensors"), tensors, metadata)


if __name__ == "__main__":
    main()
