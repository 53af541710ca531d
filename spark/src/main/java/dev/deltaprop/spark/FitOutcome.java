package dev.deltaprop.spark;

import java.io.Serializable;

/**
 * What the first training task sends back to the driver.
 *
 * @param model      the trained network in deltaprop's model format (JSON, {@code io.ModelWriter})
 * @param losses     the mean training loss of every epoch, from epoch 1 (those before a resume come from the checkpoint)
 * @param resumedAt  the epoch the run resumed after (0: it started fresh)
 * @param device     what the task trained on, in the backend's words
 */
record FitOutcome(String model, double[] losses, int resumedAt, String device) implements Serializable {
}
