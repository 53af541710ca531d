package dev.deltaprop.device.driver.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The table of contents of a CUDA fatbin ({@code nvcc -fatbin}): which machine code (SASS, an
 * ELF cubin per {@code sm_XY}) and which PTX ({@code compute_XY}) it carries. A CUDA driver uses
 * it to say, before or after the CUDA driver refuses the image, what the image offers and
 * whether it can run on a device of compute capability {@code X.Y}; tests use it to check that
 * the shipped image holds every architecture the build promises.
 *
 * <p>Layout (little-endian, as {@code nvcc} 12/13 write it): a 16-byte header
 * {@code u32 magic 0xBA55ED50, u16 version, u16 headerSize, u64 entriesSize}, then entries, each
 * {@code u16 kind (1 = PTX, 2 = ELF), u16 ?, u32 entryHeaderSize, u64 payloadSize, u32, u32,
 * u16 minor, u16 major, u32 arch, …, u64 flags} followed by its payload. The flags word marks a
 * compressed payload; only the headers are read here, never the payloads.
 */
public final class Fatbin {

    /** The magic number a fatbin starts with. */
    public static final int MAGIC = 0xBA55ED50;

    /** What an entry holds. */
    public enum Kind { PTX, SASS }

    /**
     * One entry: machine code for {@code sm_<arch>}, or PTX for {@code compute_<arch>}, where
     * {@code arch} is {@code 10·major + minor} of the compute capability (90 for 9.0).
     */
    public record Image(Kind kind, int arch) {
        /** {@code sm_90} or {@code compute_90}. */
        @Override
        public String toString() {
            return (kind == Kind.SASS ? "sm_" : "compute_") + arch;
        }
    }

    private final List<Image> images;

    private Fatbin(List<Image> images) {
        this.images = List.copyOf(images);
    }

    /** Whether {@code image} starts like a fatbin. */
    public static boolean isFatbin(byte[] image) {
        return image != null && image.length >= 16
                && ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == MAGIC;
    }

    /**
     * Reads the table of contents.
     *
     * @throws IllegalArgumentException when {@code image} is not a fatbin or is truncated, saying where
     */
    public static Fatbin parse(byte[] image) {
        Objects.requireNonNull(image, "image");
        if (!isFatbin(image)) {
            throw new IllegalArgumentException("fatbin: expected the magic number 0xBA55ED50 at byte 0, found "
                    + (image.length < 4 ? image.length + " bytes in all" : String.format("0x%08X",
                    ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(0))));
        }
        ByteBuffer buffer = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int headerSize = Short.toUnsignedInt(buffer.getShort(6));
        long entriesSize = buffer.getLong(8);
        long end = headerSize + entriesSize;
        if (headerSize < 16 || end > image.length) {
            throw new IllegalArgumentException("fatbin: header says " + end + " bytes, the image has " + image.length);
        }
        List<Image> images = new ArrayList<>();
        long offset = headerSize;
        while (offset < end) {
            if (offset + 32 > end) {
                throw new IllegalArgumentException("fatbin: entry header at byte " + offset + " is truncated");
            }
            int at = (int) offset;
            int kind = Short.toUnsignedInt(buffer.getShort(at));
            long entryHeaderSize = Integer.toUnsignedLong(buffer.getInt(at + 4));
            long payloadSize = buffer.getLong(at + 8);
            int arch = buffer.getInt(at + 28);
            if (entryHeaderSize < 32 || payloadSize < 0 || offset + entryHeaderSize + payloadSize > end) {
                throw new IllegalArgumentException("fatbin: entry at byte " + offset + " runs past the end ("
                        + entryHeaderSize + " + " + payloadSize + " bytes)");
            }
            if (kind == 1) {
                images.add(new Image(Kind.PTX, arch));
            } else if (kind == 2) {
                images.add(new Image(Kind.SASS, arch));
            }
            // other kinds (LTO IR, …) are carried but never loaded by deltaprop
            offset += entryHeaderSize + payloadSize;
        }
        return new Fatbin(images);
    }

    /** Every entry, in file order. */
    public List<Image> images() {
        return images;
    }

    /**
     * Whether the CUDA driver can run this image on a device of compute capability
     * {@code major.minor} without compiling anything but the PTX it holds: machine code for
     * {@code sm_Mm} runs on {@code M.n} with {@code n ≥ m} (same major), and PTX for
     * {@code compute_Mm} is compiled by the driver for any device of capability ≥ {@code M.m}
     * (when the driver is new enough for that PTX).
     */
    public boolean runsOn(int major, int minor) {
        int device = 10 * major + minor;
        for (Image image : images) {
            if (image.kind() == Kind.SASS && image.arch() / 10 == major && image.arch() <= device) {
                return true;
            }
            if (image.kind() == Kind.PTX && image.arch() <= device) {
                return true;
            }
        }
        return false;
    }

    /** E.g. {@code sm_80 sm_86 sm_89 sm_90 compute_90}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Image image : images) {
            text.append(text.length() == 0 ? "" : " ").append(image);
        }
        return text.toString();
    }
}
