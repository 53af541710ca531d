package dev.deltaprop.io.onnx;

import dev.deltaprop.io.ModelFormatException;
import dev.deltaprop.io.onnx.proto.Onnx.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The numbers of an ONNX initialiser as float32, whichever of its fields holds them. */
final class OnnxTensors {
    private OnnxTensors() {
    }

    /** The element count {@code Π dims} (1 for a scalar), refusing a negative dimension. */
    static long count(TensorProto tensor) throws ModelFormatException {
        long count = 1;
        for (long dim : tensor.getDimsList()) {
            if (dim < 0 || count * Math.max(dim, 1) > Integer.MAX_VALUE - 8) {
                throw new ModelFormatException("initializer '" + tensor.getName() + "': dims " + tensor.getDimsList()
                        + " are not a tensor deltaprop can hold (each at least 0, at most 2^31 elements)");
            }
            count *= dim;
        }
        return count;
    }

    /**
     * The values in row-major order: float32 ({@code data_type} 1) from {@code raw_data} (little
     * endian) or {@code float_data}, or float64 (11) from {@code raw_data} or {@code double_data},
     * rounded to float32.
     *
     * @throws ModelFormatException naming the tensor when it is of another type, kept in an
     *                              external file, or holds a different number of values than its dims say
     */
    static float[] floats(TensorProto tensor) throws ModelFormatException {
        String where = "initializer '" + tensor.getName() + "'";
        if (tensor.getDataLocation() == 1) {
            throw new ModelFormatException(where + ": its data is in an external file, which deltaprop does not read;"
                    + " save the model with its weights inside (onnx.save(..., save_as_external_data=False))");
        }
        int count = (int) count(tensor);
        int type = tensor.getDataType();
        boolean raw = !tensor.getRawData().isEmpty();
        float[] values = new float[count];
        if (type == TensorProto.DataType.FLOAT_VALUE) {
            if (raw) {
                ByteBuffer bytes = rawData(tensor, where, count, Float.BYTES);
                bytes.asFloatBuffer().get(values);
            } else {
                requireCount(where, "float_data", count, tensor.getFloatDataCount());
                for (int k = 0; k < count; k++) {
                    values[k] = tensor.getFloatData(k);
                }
            }
        } else if (type == TensorProto.DataType.DOUBLE_VALUE) {
            if (raw) {
                ByteBuffer bytes = rawData(tensor, where, count, Double.BYTES);
                for (int k = 0; k < count; k++) {
                    values[k] = (float) bytes.getDouble(k * Double.BYTES);
                }
            } else {
                requireCount(where, "double_data", count, tensor.getDoubleDataCount());
                for (int k = 0; k < count; k++) {
                    values[k] = (float) tensor.getDoubleData(k);
                }
            }
        } else {
            throw new ModelFormatException(where + ": data_type expected 1 (FLOAT) or 11 (DOUBLE), found " + type
                    + " (" + typeName(type) + ")");
        }
        return values;
    }

    private static ByteBuffer rawData(TensorProto tensor, String where, int count, int width) throws ModelFormatException {
        int length = tensor.getRawData().size();
        if (length != (long) count * width) {
            throw new ModelFormatException(where + ": raw_data expected " + (long) count * width + " bytes ("
                    + count + " values of dims " + tensor.getDimsList() + "), found " + length);
        }
        return ByteBuffer.wrap(tensor.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void requireCount(String where, String field, int expected, int found) throws ModelFormatException {
        if (expected != found) {
            throw new ModelFormatException(where + ": " + field + " expected " + expected + " values, found " + found);
        }
    }

    private static String typeName(int type) {
        TensorProto.DataType known = TensorProto.DataType.forNumber(type);
        return known == null ? "unknown" : known.name();
    }
}
