package dev.deltaprop.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The optimizer settings: DESIGN §1b's defaults, and every bad hyper-parameter refused by name. */
class OptimizerTest {

    @Test
    void defaultsAreTorchOptims() {
        Optimizer adam = Optimizer.of(Optimizer.Kind.ADAM);
        assertEquals(0.9f, adam.beta1());
        assertEquals(0.999f, adam.beta2());
        assertEquals(1e-8f, adam.epsilon());
        assertEquals(0f, adam.weightDecay());
        assertEquals(0.01f, Optimizer.of(Optimizer.Kind.ADAMW).weightDecay());
        assertEquals(0.9f, Optimizer.of(Optimizer.Kind.MOMENTUM).momentum());
        assertEquals(Optimizer.sgd(), Optimizer.of(Optimizer.Kind.SGD));
        assertEquals(Optimizer.Kind.NESTEROV, Optimizer.Kind.parse("Nesterov"));
    }

    @Test
    void badHyperParametersAreRefusedNamingTheField() {
        Optimizer.Builder b = Optimizer.builder(Optimizer.Kind.ADAM);
        assertEquals("beta1: expected a number in [0, 1), found 1.0",
                assertThrows(IllegalArgumentException.class, () -> b.beta1(1f)).getMessage());
        assertEquals("beta2: expected a number in [0, 1), found -0.1",
                assertThrows(IllegalArgumentException.class, () -> b.beta2(-0.1f)).getMessage());
        assertEquals("momentum: expected a number in [0, 1), found NaN",
                assertThrows(IllegalArgumentException.class, () -> b.momentum(Float.NaN)).getMessage());
        assertEquals("epsilon: expected a finite number > 0, found 0.0",
                assertThrows(IllegalArgumentException.class, () -> b.epsilon(0f)).getMessage());
        assertEquals("weightDecay: expected a finite number ≥ 0, found -1.0",
                assertThrows(IllegalArgumentException.class, () -> b.weightDecay(-1f)).getMessage());
        assertEquals("weightDecay: expected a finite number ≥ 0, found Infinity",
                assertThrows(IllegalArgumentException.class, () -> b.weightDecay(Float.POSITIVE_INFINITY)).getMessage());
        assertEquals("optimizer: unknown optimizer 'rmsprop': expected one of sgd, momentum, nesterov, adam, adamw",
                assertThrows(IllegalArgumentException.class, () -> Optimizer.Kind.parse("rmsprop")).getMessage());
    }

    @Test
    void initialStateIsZeroAndShapedLikeTheParameters() {
        Network net = Network.builder(3).layer(5, Activation.TANH).layer(2, Activation.IDENTITY).build(1);
        OptimizerState state = OptimizerState.initial(net, Optimizer.Kind.ADAM);
        assertEquals(0, state.steps());
        assertEquals(15, state.weights(0, 1).length);
        assertEquals(2, state.bias(1, 0).length);
        state.requireFits(net, Optimizer.of(Optimizer.Kind.ADAM));
        assertEquals("optimizerState.kind: expected momentum (the optimizer's), found adam",
                assertThrows(IllegalArgumentException.class,
                        () -> state.requireFits(net, Optimizer.of(Optimizer.Kind.MOMENTUM))).getMessage());
    }
}
