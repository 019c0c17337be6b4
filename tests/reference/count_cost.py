#!/usr/bin/python3
"""Print torchvision's parameter and multiply-accumulate counts at 224x224, the oracle of CostTest.

Parameters are `sum(p.numel() for p in model.parameters())`; MACs are counted by forward hooks on
every Conv2d (output elements x in_channels / groups x kernel area) and Linear (in x out), the
convention of torchvision's published "GFLOPS".

    /usr/bin/python3 tests/reference/count_cost.py
"""

import torch
import torchvision.models as tvm

ARCHS = ("resnet18", "resnet34", "resnet50", "resnet101", "resnext50_32x4d", "mobilenet_v2",
         "regnet_x_400mf", "regnet_y_400mf")


def count(name: str):
    model = getattr(tvm, name)().eval()
    macs = 0

    def hook(module, inputs, output):
        nonlocal macs
        if isinstance(module, torch.nn.Conv2d):
            kh, kw = module.kernel_size
            macs += output.numel() * (module.in_channels // module.groups) * kh * kw
        else:
            macs += module.in_features * module.out_features

    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            module.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    return sum(p.numel() for p in model.parameters()), macs


if __name__ == "__main__":
    for arch in ARCHS:
        params, macs = count(arch)
        print(f"{arch} {params} {macs}")
