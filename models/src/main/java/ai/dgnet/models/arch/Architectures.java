package ai.dgnet.models.arch;

import ai.dgnet.models.Arch;

import java.util.ArrayList;
import java.util.List;

import static ai.dgnet.runtime.op.Activation.NONE;
import static ai.dgnet.runtime.op.Activation.RELU;
import static ai.dgnet.runtime.op.Activation.RELU6;

/** The architectures of spec section 3, built as torchvision builds them. */
public final class Architectures {
    private Architectures() {
    }

    public static NetworkDef build(Arch arch, int inChannels, int numClasses) {
        return switch (arch) {
            case RESNET18 -> resnet(arch, inChannels, numClasses, false, new int[] {2, 2, 2, 2}, 1, 64);
            case RESNET34 -> resnet(arch, inChannels, numClasses, false, new int[] {3, 4, 6, 3}, 1, 64);
            case RESNET50 -> resnet(arch, inChannels, numClasses, true, new int[] {3, 4, 6, 3}, 1, 64);
            case RESNET101 -> resnet(arch, inChannels, numClasses, true, new int[] {3, 4, 23, 3}, 1, 64);
            case RESNEXT50_32X4D -> resnet(arch, inChannels, numClasses, true, new int[] {3, 4, 6, 3}, 32, 4);
            case MOBILENET_V2 -> mobilenetV2(inChannels, numClasses);
            case REGNET_X_400MF -> regnet(arch, inChannels, numClasses, new int[] {1, 2, 7, 12},
                    new int[] {32, 64, 160, 400}, 16, 0.0, 32);
            case REGNET_Y_400MF -> regnet(arch, inChannels, numClasses, new int[] {1, 3, 6, 6},
                    new int[] {48, 104, 208, 440}, 8, 0.25, 32);
            case RESNET20 -> resnet20(inChannels, numClasses);
        };
    }

    private static NetworkDef resnet(Arch arch, int inChannels, int numClasses, boolean bottleneck, int[] depths,
                                     int groups, int widthPerGroup) {
        List<ConvBn> stem = List.of(ConvBn.of("conv1", "bn1", inChannels, 64, 7, 2, RELU));
        List<List<BlockDef>> stages = new ArrayList<>();
        int in = 64;
        for (int s = 0; s < depths.length; s++) {
            int planes = 64 << s;
            List<BlockDef> stage = new ArrayList<>();
            for (int i = 0; i < depths[s]; i++) {
                String prefix = "layer" + (s + 1) + "." + i + ".";
                int stride = i == 0 && s > 0 ? 2 : 1;
                BlockDef block = bottleneck
                        ? bottleneck(prefix, in, planes, stride, groups, widthPerGroup)
                        : basic(prefix, in, planes, stride);
                stage.add(block);
                in = block.outChannels();
            }
            stages.add(stage);
        }
        return new NetworkDef(arch, inChannels, numClasses, stem, true, stages, List.of(), "fc");
    }

    /** CIFAR-style ResNet-20: a 3x3 stem without max pooling, three stages of BasicBlocks 16/32/64 wide. */
    private static NetworkDef resnet20(int inChannels, int numClasses) {
        List<ConvBn> stem = List.of(ConvBn.of("conv1", "bn1", inChannels, 16, 3, 1, RELU));
        List<List<BlockDef>> stages = new ArrayList<>();
        int in = 16;
        for (int s = 0; s < 3; s++) {
            int planes = 16 << s;
            List<BlockDef> stage = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                stage.add(basic("layer" + (s + 1) + "." + i + ".", in, planes, i == 0 && s > 0 ? 2 : 1));
                in = planes;
            }
            stages.add(stage);
        }
        return new NetworkDef(Arch.RESNET20, inChannels, numClasses, stem, false, stages, List.of(), "fc");
    }

    /** torchvision's {@code BasicBlock}. */
    private static BlockDef basic(String p, int in, int planes, int stride) {
        List<ConvBn> main = List.of(
                ConvBn.of(p + "conv1", p + "bn1", in, planes, 3, stride, RELU),
                ConvBn.of(p + "conv2", p + "bn2", planes, planes, 3, 1, RELU));
        ConvBn downsample = stride != 1 || in != planes
                ? ConvBn.of(p + "downsample.0", p + "downsample.1", in, planes, 1, stride, NONE) : null;
        return new BlockDef(p, main, downsample, downsample == null, null, -1);
    }

    /** torchvision's {@code Bottleneck} (stride on the 3x3, "ResNet v1.5"), grouped for ResNeXt. */
    private static BlockDef bottleneck(String p, int in, int planes, int stride, int groups, int widthPerGroup) {
        int width = planes * widthPerGroup / 64 * groups;
        int out = planes * 4;
        List<ConvBn> main = List.of(
                ConvBn.of(p + "conv1", p + "bn1", in, width, 1, 1, RELU),
                ConvBn.of(p + "conv2", p + "bn2", width, width, 3, stride, RELU).grouped(groups),
                ConvBn.of(p + "conv3", p + "bn3", width, out, 1, 1, RELU));
        ConvBn downsample = stride != 1 || in != out
                ? ConvBn.of(p + "downsample.0", p + "downsample.1", in, out, 1, stride, NONE) : null;
        return new BlockDef(p, main, downsample, downsample == null, null, -1);
    }

    /**
     * MobileNetV2 (width 1.0). The DG stages are the runs of inverted residual blocks with equal output
     * channels: features.1 | 2-3 | 4-6 | 7-10 | 11-13 | 14-16 | 17.
     */
    private static NetworkDef mobilenetV2(int inChannels, int numClasses) {
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
                {6, 160, 3, 2}, {6, 320, 1, 1}};
        List<ConvBn> stem = List.of(ConvBn.of("features.0.0", "features.0.1", inChannels, 32, 3, 2, RELU6));
        List<List<BlockDef>> stages = new ArrayList<>();
        int in = 32;
        int index = 1;
        for (int[] setting : settings) {
            List<BlockDef> stage = new ArrayList<>();
            for (int i = 0; i < setting[2]; i++) {
                stage.add(invertedResidual("features." + index + ".", in, setting[1], i == 0 ? setting[3] : 1,
                        setting[0]));
                in = setting[1];
                index++;
            }
            stages.add(stage);
        }
        List<ConvBn> head = List.of(ConvBn.of("features.18.0", "features.18.1", 320, 1280, 1, 1, RELU6));
        return new NetworkDef(Arch.MOBILENET_V2, inChannels, numClasses, stem, false, stages, head, "classifier.1");
    }

    /** torchvision's {@code InvertedResidual}: [1x1 expand] → 3x3 depthwise → 1x1 project, + x when shapes match. */
    private static BlockDef invertedResidual(String p, int in, int out, int stride, int expand) {
        int hidden = in * expand;
        List<ConvBn> main = new ArrayList<>();
        int layer = 0;
        if (expand != 1) {
            main.add(ConvBn.of(p + "conv.0.0", p + "conv.0.1", in, hidden, 1, 1, RELU6));
            layer = 1;
        }
        main.add(ConvBn.of(p + "conv." + layer + ".0", p + "conv." + layer + ".1", hidden, hidden, 3, stride, RELU6)
                .grouped(hidden));
        main.add(ConvBn.of(p + "conv." + (layer + 1), p + "conv." + (layer + 2), hidden, out, 1, 1, NONE));
        return new BlockDef(p, main, null, stride == 1 && in == out, null, -1);
    }

    /**
     * RegNet (X without, Y with squeeze-excitation) with torchvision's computed widths, bottleneck multiplier 1.
     */
    private static NetworkDef regnet(Arch arch, int inChannels, int numClasses, int[] depths, int[] widths,
                                     int groupWidth, double seRatio, int stemWidth) {
        List<ConvBn> stem = List.of(ConvBn.of("stem.0", "stem.1", inChannels, stemWidth, 3, 2, RELU));
        List<List<BlockDef>> stages = new ArrayList<>();
        int in = stemWidth;
        for (int s = 0; s < depths.length; s++) {
            List<BlockDef> stage = new ArrayList<>();
            for (int i = 0; i < depths[s]; i++) {
                String p = "trunk_output.block" + (s + 1) + ".block" + (s + 1) + "-" + i + ".";
                stage.add(regnetBlock(p, in, widths[s], i == 0 ? 2 : 1, groupWidth, seRatio));
                in = widths[s];
            }
            stages.add(stage);
        }
        return new NetworkDef(arch, inChannels, numClasses, stem, false, stages, List.of(), "fc");
    }

    /** torchvision's {@code ResBottleneckBlock}: relu(proj(x) or x + c(se(b(a(x))))); SE width rounds half to even, as Python's round. */
    private static BlockDef regnetBlock(String p, int in, int out, int stride, int groupWidth, double seRatio) {
        List<ConvBn> main = List.of(
                ConvBn.of(p + "f.a.0", p + "f.a.1", in, out, 1, 1, RELU),
                ConvBn.of(p + "f.b.0", p + "f.b.1", out, out, 3, stride, RELU).grouped(out / groupWidth),
                ConvBn.of(p + "f.c.0", p + "f.c.1", out, out, 1, 1, RELU));
        SqueezeExcite se = seRatio > 0
                ? new SqueezeExcite(p + "f.se.fc1", p + "f.se.fc2", out, (int) Math.rint(seRatio * in)) : null;
        ConvBn proj = in != out || stride != 1 ? ConvBn.of(p + "proj.0", p + "proj.1", in, out, 1, stride, NONE) : null;
        return new BlockDef(p, main, proj, proj == null, se, 1);
    }

}
