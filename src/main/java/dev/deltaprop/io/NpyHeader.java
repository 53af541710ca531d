package dev.deltaprop.io;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a NumPy {@code .npy} file: the Python dict literal that follows the magic
 * string, the version and the header length, for example
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }}.
 *
 * <p>The format (numpy.lib.format, "NEP 1"): 6 bytes {@code \x93NUMPY}, the major and minor
 * version bytes, the header length as a little-endian {@code uint16} (version 1.0) or
 * {@code uint32} (2.0 and 3.0), then the header text (Latin-1; UTF-8 in 3.0), padded with spaces
 * and ended by {@code \n}, then the data. This parser reads exactly the literal that NumPy
 * writes (strings, {@code True}/{@code False}, tuples of integers) and nothing more general.
 */
final class NpyHeader {
    /** {@code \x93NUMPY}: the first 6 bytes of every {@code .npy} file. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    final String descr;
    final boolean fortranOrder;
    final int[] shape;

    private NpyHeader(String descr, boolean fortranOrder, int[] shape) {
        this.descr = descr;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
    }

    /**
     * Bytes per element of a dtype the reader converts: {@code float32}/{@code float64} ({@code f4},
     * {@code f8}), signed and unsigned integers of 1, 2, 4 or 8 bytes ({@code i1 … i8},
     * {@code u1 … u8}); 0 for any other dtype.
     */
    int elementBytes() {
        if (descr.length() < 2) {
            return 0;
        }
        return switch (descr.substring(1)) {
            case "f4", "i4", "u4" -> 4;
            case "f8", "i8", "u8" -> 8;
            case "i2", "u2" -> 2;
            case "i1", "u1" -> 1;
            default -> 0;
        };
    }

    /** The dtype as NumPy names it ({@code float32}, {@code int64}, {@code uint8}), for messages; only for a dtype read. */
    String typeName() {
        return switch (kind()) {
            case 'f' -> "float";
            case 'u' -> "uint";
            default -> "int";
        } + 8 * elementBytes();
    }

    /** The dtype's kind: {@code 'f'} float, {@code 'i'} signed or {@code 'u'} unsigned integer. */
    char kind() {
        return descr.length() < 2 ? '?' : descr.charAt(1);
    }

    /** The byte order named by the descr's first character ({@code <} little, {@code >} big). */
    ByteOrder order() {
        return descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /**
     * Parses the dict literal; {@code name} is the file name for messages.
     *
     * @throws DataFormatException naming the file and what was expected, when a key is missing
     *                             or a value has the wrong type
     */
    static NpyHeader parse(String text, String name) throws DataFormatException {
        Map<String, Object> dict = new Parser(text, name).dict();
        Object descr = require(dict, "descr", name);
        Object fortran = require(dict, "fortran_order", name);
        Object shape = require(dict, "shape", name);
        if (!(descr instanceof String)) {
            throw new DataFormatException(name + ": header field 'descr': expected a dtype string such as '<f4', found "
                    + descr + " (structured arrays are not supported)");
        }
        if (!(fortran instanceof Boolean)) {
            throw new DataFormatException(name + ": header field 'fortran_order': expected True or False, found " + fortran);
        }
        if (!(shape instanceof int[])) {
            throw new DataFormatException(name + ": header field 'shape': expected a tuple of integers, found " + shape);
        }
        return new NpyHeader((String) descr, (Boolean) fortran, (int[]) shape);
    }

    private static Object require(Map<String, Object> dict, String key, String name) throws DataFormatException {
        if (!dict.containsKey(key)) {
            throw new DataFormatException(name + ": header: expected the key '" + key + "', found only " + dict.keySet());
        }
        return dict.get(key);
    }

    /** Recursive descent over the literal: dict, string, True/False, tuple of integers. */
    private static final class Parser {
        private final String text;
        private final String name;
        private int at;

        Parser(String text, String name) {
            this.text = text;
            this.name = name;
        }

        Map<String, Object> dict() throws DataFormatException {
            Map<String, Object> dict = new HashMap<>();
            expect('{');
            while (peek() != '}') {
                Object key = value();
                if (!(key instanceof String)) {
                    throw error("a string key");
                }
                expect(':');
                dict.put((String) key, value());
                if (peek() == ',') {
                    at++;
                } else if (peek() != '}') {
                    throw error("',' or '}'");
                }
            }
            at++;
            return dict;
        }

        private Object value() throws DataFormatException {
            char c = peek();
            if (c == '\'' || c == '"') {
                int end = text.indexOf(c, at + 1);
                if (end < 0) {
                    throw error("a closing quote");
                }
                String value = text.substring(at + 1, end);
                at = end + 1;
                return value;
            }
            if (text.startsWith("True", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (c == '(') {
                return tuple();
            }
            if (c == '[') {
                throw new DataFormatException(name + ": header: a list-valued 'descr' describes a structured array;"
                        + " expected a plain float32 or float64 array");
            }
            throw error("a string, True, False or a tuple");
        }

        private int[] tuple() throws DataFormatException {
            expect('(');
            List<Integer> extents = new ArrayList<>();
            while (peek() != ')') {
                int start = at;
                while (at < text.length() && Character.isDigit(text.charAt(at))) {
                    at++;
                }
                if (start == at) {
                    throw error("a non-negative integer in the shape");
                }
                long extent;
                try {
                    extent = Long.parseLong(text.substring(start, at));
                } catch (NumberFormatException e) {
                    extent = Long.MAX_VALUE;
                }
                if (extent > Integer.MAX_VALUE) {
                    throw new DataFormatException(name + ": shape extent " + text.substring(start, at)
                            + " is larger than the largest Java array (" + Integer.MAX_VALUE + ")");
                }
                extents.add((int) extent);
                if (at < text.length() && text.charAt(at) == 'L') {
                    at++; // Python 2 wrote long integers as 3L
                }
                if (peek() == ',') {
                    at++;
                } else if (peek() != ')') {
                    throw error("',' or ')' in the shape");
                }
            }
            at++;
            return extents.stream().mapToInt(Integer::intValue).toArray();
        }

        private void expect(char c) throws DataFormatException {
            if (peek() != c) {
                throw error("'" + c + "'");
            }
            at++;
        }

        /** The next character that is not white space, or 0 at the end. */
        private char peek() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
            return at < text.length() ? text.charAt(at) : 0;
        }

        private DataFormatException error(String expected) {
            String found = at < text.length() ? "'" + text.substring(at, Math.min(text.length(), at + 20)) + "'"
                    : "the end of the header";
            return new DataFormatException(name + ": header at character " + at + ": expected " + expected
                    + ", found " + found);
        }
    }
}
