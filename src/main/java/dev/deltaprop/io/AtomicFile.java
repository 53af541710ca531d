package dev.deltaprop.io;

import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a file so that a failure never leaves a damaged one behind, for text (models) and bytes
 * ({@code .npy}, pictures) alike.
 *
 * <ul>
 * <li><b>What it replaces.</b> Only a regular file, or nothing: a symbolic link is followed to its
 *     target (the link stays a link, the file it names gets the content); a directory, device,
 *     FIFO or socket is refused, so {@code --save /dev/null} never turns a device into a file.</li>
 * <li><b>How.</b> The content goes to a temporary file {@code .NAME.PID-RANDOM.tmp} beside the
 *     target (same file system, so the move is a rename), is forced to disk, and only then
 *     replaces the target in one atomic rename; the folder is then forced too, so the rename
 *     survives a power cut. Until the rename the old file is untouched.</li>
 * <li><b>Permissions.</b> The new file gets those of the file it replaces, else what any new file
 *     gets: {@code 0666} less the umask.</li>
 * <li><b>Temporary files.</b> A failed write deletes its temporary file; so does SIGTERM or
 *     Ctrl-C during a write (a shutdown hook); a kill -9 cannot be caught, so each save first
 *     removes the temporaries of the same target whose process is gone.</li>
 * <li><b>Errors</b> name the target, never the temporary file.</li>
 * </ul>
 */
public final class AtomicFile {

    /** Writes text to a {@link Writer}; may fail with an {@link IOException}. */
    @FunctionalInterface
    public interface Body {
        void writeTo(Writer out) throws IOException;
    }

    /** Test hook: called at each point where a crash could interrupt a save; throwing interrupts it there. */
    @FunctionalInterface
    interface Interruption {
        void at(String point) throws IOException;
    }

    /** Set by tests only; {@code null} otherwise. */
    static volatile Interruption interruption;

    /** The temporary files being written now, for the shutdown hook; guarded by itself. */
    private static final Set<Path> ACTIVE = new HashSet<>();
    private static boolean hookInstalled;
    private static final long PID = ProcessHandle.current().pid();
    /** A symlink chain longer than this is a loop (Linux gives up at 40 too). */
    private static final int MAX_LINKS = 40;

    private AtomicFile() {
    }

    /** Writes {@code body}'s UTF-8 text to {@code target}, atomically replacing any previous file. */
    public static void write(Path target, Body body) throws IOException {
        save(target, stream -> {
            Writer out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
            body.writeTo(out);
            out.flush();
        });
    }

    /** Writes {@code content} to {@code target}, atomically replacing any previous file. */
    public static void write(Path target, byte[] content) throws IOException {
        save(target, stream -> {
            // in pieces, so that the interruption hook sees a save as the points a crash could hit
            for (int at = 0; at < content.length; at += 65536) {
                stream.write(content, at, Math.min(65536, content.length - at));
            }
        });
    }

    /**
     * Checks, before any long work, that a save to {@code target} can succeed: it names a regular
     * file or nothing (links followed), its folder exists and takes a new file (one is created
     * and deleted there), and the folder's file system has at least {@code bytes} free.
     *
     * @return the file a save will write: {@code target} with its links followed
     * @throws IOException naming {@code target} and what is wrong
     */
    public static Path checkWritable(Path target, long bytes) throws IOException {
        Path file = resolve(target);
        Path folder = file.getParent();
        Path probe = createTemporary(file, target);
        try {
            long free = Files.getFileStore(probe).getUsableSpace();
            if (bytes > free) {
                throw new IOException(target + ": the folder " + folder + " has " + megabytes(free)
                        + " free, the file needs about " + megabytes(bytes));
            }
        } finally {
            forget(probe);
            Files.deleteIfExists(probe);
        }
        return file;
    }

    /**
     * The file a save to {@code target} writes: {@code target} with its symbolic links followed,
     * absolute. It need not exist yet; its folder must.
     *
     * @throws IOException naming {@code target} when it is empty, a link loop, not a regular file,
     *                     or in a folder that does not exist
     */
    public static Path resolve(Path target) throws IOException {
        if (target.toString().isEmpty()) {
            throw new IOException("'': expected a file name, found an empty one");
        }
        Path file = target.toAbsolutePath().normalize();
        for (int links = 0; Files.isSymbolicLink(file); links++) {
            if (links == MAX_LINKS) {
                throw new IOException(target + ": expected a file, found a loop of symbolic links");
            }
            Path parent = file.getParent();
            file = (parent == null ? file : parent.resolve(Files.readSymbolicLink(file))).toAbsolutePath().normalize();
        }
        Path folder = file.getParent();
        if (folder == null || file.getFileName() == null) {
            throw new IOException(target + ": expected a file name, found the root folder");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw new IOException(target + (file.equals(target.toAbsolutePath().normalize()) ? "" : " (" + file + ")")
                        + ": expected a regular file (or none) to replace, found " + kind(file, attributes)
                        + "; nothing was written");
            }
        }
        if (!Files.isDirectory(folder)) {
            throw new IOException(target + ": the folder " + folder + " does not exist");
        }
        return file;
    }

    /** Deletes the temporary files of the saves in progress: what the shutdown hook does on a signal. */
    static void deleteActive() {
        synchronized (ACTIVE) {
            for (Path temporary : ACTIVE) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException e) {
                    // the JVM is going down: nothing better to do than leave it for the next save
                }
            }
            ACTIVE.clear();
        }
    }

    /** Writes the bytes {@code content} produces; the one path every save takes. */
    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static void save(Path target, Content content) throws IOException {
        Path file = resolve(target);
        removeStale(file);
        Path temporary = createTemporary(file, target);
        boolean moved = false;
        try {
            point("created");
            if (Files.exists(file)) {
                permissions(file, temporary);
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                OutputStream out = new Checkpoints(Channels.newOutputStream(channel));
                content.writeTo(out);
                out.flush();
                point("written");
                // on disk before the rename, so that a crash cannot leave the new name with no content
                channel.force(true);
            }
            point("forced");
            synchronized (ACTIVE) {
                // a signal's hook may have deleted it meanwhile: then the save is off, the old file stays
                if (!ACTIVE.remove(temporary)) {
                    throw new IOException("interrupted by a signal");
                }
                try {
                    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
                moved = true;
            }
            point("moved");
            forceFolder(file.getParent());
        } catch (IOException e) {
            throw new IOException(target + ": could not save (" + reason(e) + ")"
                    + (moved ? "" : "; the previous file, if any, is unchanged"), e);
        } finally {
            if (!moved) {
                forget(temporary);
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * A new, empty temporary file beside {@code file}, registered for the shutdown hook. Opened
     * without attributes, so it has the umask's default permissions (unlike
     * {@link Files#createTempFile}, which makes it private).
     */
    private static Path createTemporary(Path file, Path target) throws IOException {
        installHook();
        String prefix = "." + file.getFileName() + "." + PID + "-";
        for (int attempt = 0; ; attempt++) {
            Path temporary = file.resolveSibling(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong())
                    + ".tmp");
            synchronized (ACTIVE) {
                try {
                    Files.newByteChannel(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                    ACTIVE.add(temporary);
                    return temporary;
                } catch (FileAlreadyExistsException e) {
                    if (attempt == 100) {
                        throw new IOException(target + ": could not create a temporary file in " + file.getParent(), e);
                    }
                } catch (IOException e) {
                    throw new IOException(target + ": cannot write in the folder " + file.getParent() + " ("
                            + reason(e) + ")", e);
                }
            }
        }
    }

    /**
     * Deletes {@code .NAME.PID-RANDOM.tmp} files of this target left by a process that is gone
     * (kill -9, power cut), or by this one outside a save in progress. Other files are not ours.
     */
    private static void removeStale(Path file) {
        Pattern ours = Pattern.compile(Pattern.quote("." + file.getFileName() + ".") + "(\\d+)-\\d+\\.tmp");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(file.getParent(),
                entry -> ours.matcher(entry.getFileName().toString()).matches())) {
            for (Path entry : entries) {
                Matcher m = ours.matcher(entry.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                boolean stale;
                synchronized (ACTIVE) {
                    stale = pid == PID ? !ACTIVE.contains(entry) : ProcessHandle.of(pid).isEmpty();
                }
                if (stale && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException | SecurityException e) {
            // best effort: a stale temporary file is untidy, not a reason to refuse a save
        }
    }

    private static void installHook() {
        synchronized (ACTIVE) {
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(AtomicFile::deleteActive, "deltaprop-atomic-file-cleanup"));
                hookInstalled = true;
            }
        }
    }

    private static void forget(Path temporary) {
        synchronized (ACTIVE) {
            ACTIVE.remove(temporary);
        }
    }

    /** Gives the temporary file the permissions of the file it replaces (before any content is in it). */
    private static void permissions(Path file, Path temporary) throws IOException {
        if (Files.getFileStore(temporary).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(file));
        }
    }

    /** Forces the folder's entry for the rename to disk; not every platform can open a folder, which is fine. */
    private static void forceFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // the rename is done; on such a platform its durability is the file system's business
        }
    }

    private static void point(String name) throws IOException {
        Interruption hook = interruption;
        if (hook != null) {
            hook.at(name);
        }
    }

    /** Passes every write through {@link #point}, so that a test can interrupt a save mid-content. */
    private static final class Checkpoints extends FilterOutputStream {
        Checkpoints(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            point("wrote " + length + " bytes");
        }
    }

    /** The reason of a failure without the temporary file's name (which means nothing to a user). */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** What a path that is not a regular file is, in words: {@code a directory}, {@code a FIFO}, … */
    private static String kind(Path file, BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        try {
            int type = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
            switch (type) {
                case 0020000: return "a character device";
                case 0060000: return "a block device";
                case 0010000: return "a FIFO (named pipe)";
                case 0140000: return "a socket";
                default: break;
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            // no unix view here: say what every platform can
        }
        return "something other than a regular file (a device, FIFO or socket)";
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
