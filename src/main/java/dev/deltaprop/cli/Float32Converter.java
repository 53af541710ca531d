package dev.deltaprop.cli;

import picocli.CommandLine;

/**
 * Reads every {@code float} option ({@code --lr}, {@code --momentum}, …) so that a number float32
 * cannot hold is refused as the user wrote it: {@code --lr 1e-46} "rounds to 0", {@code 1e39}
 * "rounds to infinity" — not a later "expected a number > 0, found 0.0" that hides what was typed.
 */
final class Float32Converter implements CommandLine.ITypeConverter<Float> {
    @Override
    public Float convert(String text) {
        double value;
        try {
            value = Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("expected a number, found '" + text + "'");
        }
        float rounded = (float) value;
        if (Double.isFinite(value) && Float.isInfinite(rounded)) {
            throw new CommandLine.TypeConversionException("expected a number float32 can hold (|x| ≤ " + Float.MAX_VALUE
                    + "), found " + text + ", which rounds to infinity");
        }
        if (value != 0 && rounded == 0) {
            throw new CommandLine.TypeConversionException("expected a number float32 can hold (|x| ≥ " + Float.MIN_VALUE
                    + " or 0), found " + text + ", which rounds to 0");
        }
        return rounded;
    }
}
