package dev.deltaprop.cli;

import dev.deltaprop.model.Activation;
import dev.deltaprop.model.MemoryEstimate;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Sizes;

/** The {@code --layers 2-16-1 --activation tanh --output-activation identity} options, turned into a network. */
final class Architecture {
    private Architecture() {
    }

    /**
     * {@code "2-16-1"} → {@code {2, 16, 1}}: an input width, then one width per layer, each ≥ 1.
     *
     * @throws IllegalArgumentException naming {@code --layers} and the expected form
     */
    static int[] widths(String layers) {
        String expected = "--layers: expected widths like 2-16-1 (the input width, then each layer's, every one ≥ 1), found '"
                + layers + "'";
        if (layers == null) {
            throw new IllegalArgumentException(expected);
        }
        String[] parts = layers.strip().split("-", -1);
        if (parts.length < 2) {
            throw new IllegalArgumentException(expected);
        }
        int[] widths = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            try {
                widths[k] = Integer.parseInt(parts[k].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(expected);
            }
            if (widths[k] < 1) {
                throw new IllegalArgumentException(expected);
            }
        }
        return widths;
    }

    /**
     * Refuses widths whose training would not fit the Java heap, before any weight is drawn: the
     * network and its copy while it is built ({@code 2P} floats) on any backend, and on one that
     * computes on the host ({@code cpu}, {@code reference}) also its weights, their gradient and up
     * to two optimizer arrays ({@code 5P}; see {@link MemoryEstimate}). The backend checks the
     * rest (its own layout, the activations of a batch, a device's memory) when it loads.
     *
     * @param backend the {@code --backend} name
     * @throws IllegalArgumentException naming {@code what}, the estimate and the limit
     */
    static void requireHeap(String what, int[] widths, String backend) {
        boolean host = "cpu".equals(backend) || "reference".equals(backend);
        long parameters = MemoryEstimate.parameters(widths);
        MemoryEstimate.requireHeap(what + ": the network (" + String.format(java.util.Locale.ROOT, "%.2g", (double) parameters)
                + " parameters" + (host ? ", with their gradient and optimizer state on " + backend : "") + ")",
                MemoryEstimate.bytes(parameters, (host ? 5 : 2) * Float.BYTES));
        for (int l = 1; l < widths.length; l++) {
            if ((long) widths[l - 1] * widths[l] > Sizes.MAX_ARRAY) {
                throw new IllegalArgumentException(what + ": layer " + l + " has " + widths[l - 1] + " × " + widths[l]
                        + " weights, more than one Java array holds (" + Sizes.MAX_ARRAY + ")");
            }
        }
    }

    /** An activation named on the command line; the message names the option. */
    static Activation activation(String option, String name) {
        try {
            return Activation.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    /** A network of these widths: hidden layers use {@code hidden}, the last layer {@code output}; weights from {@code seed}. */
    static Network network(int[] widths, Activation hidden, Activation output, long seed) {
        Network.Builder builder = Network.builder(widths[0]);
        for (int l = 1; l < widths.length; l++) {
            builder.layer(widths[l], l == widths.length - 1 ? output : hidden);
        }
        return builder.build(seed);
    }
}
