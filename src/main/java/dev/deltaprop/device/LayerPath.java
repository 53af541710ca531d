package dev.deltaprop.device;

/**
 * The layer-by-layer training step of DESIGN §1, one GEMM launch per layer and family:
 *
 * <ol>
 * <li>forward, {@code l = 1..L}: {@code U^l = Z^{l-1} W^l + 1·b^lᵀ}, {@code Z^l = f(U^l)};</li>
 * <li>the output δ with the loss: {@code Δ^L = ∂E/∂U^L} ({@code (Y − D) ⊙ f'(U^L)}, or {@code Y − D}
 *     for the cross-entropy pairings, normalising a softmax output's rows in the same pass), and
 *     the batch-mean loss {@code (1/B) Σ_b E_b} into the net's one-float loss buffer;</li>
 * <li>hidden δ, {@code l = L−1..1}: {@code Δ^l = (Δ^{l+1} W^{l+1}ᵀ) ⊙ f'(U^l)}, every one from
 *     {@code W^{l+1}} before it changes;</li>
 * <li>update, {@code l = 1..L}: {@code W^l, b^l} take the optimizer step with
 *     {@code g = (1/B) Z^{l-1}ᵀ Δ^l} (bias: {@code (1/B) Σ_b Δ^l_b}) in the GEMM's epilogue, or
 *     in its split-K reduce where {@link GemmPlan} splits the batch.</li>
 * </ol>
 *
 * <p>That is {@code 3L + 1} launches, plus one reduce for each GEMM that {@link GemmPlan} splits
 * along K; none of them waits for the host. The batch must already be in {@code X = Z^0} and
 * {@code D}. Each family is timed as one span of the {@link StepTimer}.
 */
final class LayerPath {
    private final Kernels kernels;
    private final StepTimer timer;

    LayerPath(Kernels kernels, StepTimer timer) {
        this.kernels = kernels;
        this.timer = timer;
    }

    /**
     * The forward GEMMs {@code U^l = Z^{l-1} W^l + b^l, Z^l = f(U^l)}, {@code l = 1..L}; a softmax
     * output is left unnormalised (a step's output δ normalises it, {@link #outputs} for predict).
     */
    void forward(DeviceNet net, int batch) {
        for (int l = 1; l <= net.depth(); l++) {
            kernels.forward(net.z(l - 1), net.weights(l), net.bias(l), net.u(l), net.z(l), batch, net.width(l - 1),
                    net.width(l), net.activation(l));
        }
    }

    /** {@code Y = Z^L} of the batch in {@code X}, a softmax output's rows normalised: the family {@code forward}. */
    void outputs(DeviceNet net, int batch) {
        forward(net, batch);
        int depth = net.depth();
        if (net.activation(depth) == dev.deltaprop.model.Activation.SOFTMAX) {
            kernels.softmax(net.u(depth), net.z(depth), batch, net.width(depth));
        }
        timer.family("forward");
    }

    /**
     * Forward, the output δ with the loss, and every hidden δ: all a step does before its updates.
     * With {@code recordCapacity > 0} the loss is also appended to the net's loss record ({@link LossRecord}).
     */
    void backward(DeviceNet net, int batch, int recordCapacity) {
        int depth = net.depth();
        forward(net, batch);
        timer.family("forward");
        kernels.deltaOutput(net.z(depth), net.teacher(), net.u(depth), net.delta(depth), net.partials(), net.loss(),
                batch, net.width(depth), net.activation(depth), net.lossKind(), recordCapacity);
        timer.family("delta_output");
        // Δ^l needs W^{l+1} before its update: every δ first, then every update
        for (int l = depth - 1; l >= 1; l--) {
            kernels.deltaHidden(net.delta(l + 1), net.weights(l + 1), net.u(l), net.z(l), net.delta(l), batch,
                    net.width(l), net.width(l + 1), net.activation(l));
        }
        if (depth > 1) {
            timer.family("delta_hidden");
        }
    }

    /** The update GEMMs {@code W^l ← rule(W^l, (1/B) Z^{l-1}ᵀ Δ^l)} and the bias steps, {@code l = 1..L}. */
    void update(DeviceNet net, int batch, OptimizerStep rule) {
        for (int l = 1; l <= net.depth(); l++) {
            kernels.update(net.z(l - 1), net.delta(l), net.weights(l), net.bias(l), net.weightsState(l), net.biasState(l),
                    batch, net.width(l - 1), net.width(l), rule);
        }
        timer.family("update");
    }

    /** A whole step, {@code 3L + 1} launches plus the split-K reduces: {@link #backward}, then {@link #update} with {@code rule}. */
    void step(DeviceNet net, int batch, OptimizerStep rule, int recordCapacity) {
        backward(net, batch, recordCapacity);
        update(net, batch, rule);
    }
}
