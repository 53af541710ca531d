package dev.deltaprop.cli;

import dev.deltaprop.io.ModelFiles;
import dev.deltaprop.io.onnx.OnnxExport;
import dev.deltaprop.model.Network;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code deltaprop export}: a model as an ONNX file that ONNX Runtime, PyTorch and the other ONNX
 * runtimes read (the graph is described in {@link OnnxExport}).
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Writes a model as ONNX (IR version " + OnnxExport.IR_VERSION + ", opset " + OnnxExport.OPSET_VERSION
                + "): input x and output y, float32 [batch, n].")
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.json", description = "The model file (deltaprop JSON, or ONNX *.onnx).")
    Path model;

    @Option(names = "--onnx", required = true, paramLabel = "M.onnx", description = "Where to write the ONNX model.")
    Path onnx;

    @Override
    public Integer call() throws Exception {
        if (!ModelFiles.isOnnx(onnx)) {
            throw new IllegalArgumentException("--onnx: expected a file name ending in .onnx, found " + onnx);
        }
        new OutputFiles().input("--model", model).output("--onnx", onnx).check();
        Network network = ModelFiles.read(model);
        ModelFiles.writeOnnx(network, onnx);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("wrote %s (%,d bytes): ONNX IR version %d, opset %d; network %s, %s, %,d parameters;"
                        + " input %s [%s, %d], output %s [%s, %d], float32%n",
                onnx, Files.size(onnx), OnnxExport.IR_VERSION, OnnxExport.OPSET_VERSION, network.shape(), network.loss(),
                network.parameterCount(), OnnxExport.INPUT, OnnxExport.BATCH, network.inputs(),
                OnnxExport.OUTPUT, OnnxExport.BATCH, network.outputs());
        out.flush();
        return 0;
    }
}
