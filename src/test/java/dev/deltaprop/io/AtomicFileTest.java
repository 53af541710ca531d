package dev.deltaprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 #3, #9, #10 and the merge of AtomicBytes: what a save may replace (a regular file,
 * through its links), the permissions it leaves, the names in its errors, and the temporary
 * files it never leaves behind.
 */
class AtomicFileTest {
    @TempDir
    Path folder;

    private static final byte[] NEW = "new content\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSymlinkIsFollowedToItsTargetAndStaysALink() throws IOException {
        Path real = Files.createDirectory(folder.resolve("real")).resolve("model.json");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(folder.resolve("link.json"), Path.of("real/model.json"));
        AtomicFile.write(link, NEW);
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertArrayEquals(NEW, Files.readAllBytes(real), "the file it points to has the new content");
    }

    @Test
    void aDanglingSymlinkCreatesItsTarget() throws IOException {
        Files.createDirectory(folder.resolve("real"));
        Path link = Files.createSymbolicLink(folder.resolve("link.json"), Path.of("real/model.json"));
        AtomicFile.write(link, NEW);
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(NEW, Files.readAllBytes(folder.resolve("real/model.json")));
    }

    @Test
    void aDirectoryIsRefusedAndKept() throws IOException {
        Path directory = Files.createDirectory(folder.resolve("out.json"));
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(directory, NEW));
        assertTrue(e.getMessage().contains(directory.toString()) && e.getMessage().contains("a directory"), e.getMessage());
        assertTrue(Files.isDirectory(directory));
        assertThrows(IOException.class, () -> AtomicFile.checkWritable(directory, 0));
    }

    @Test
    void aFifoIsRefusedAndKept() throws Exception {
        Path fifo = folder.resolve("pipe.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mkfifo.waitFor() == 0, "mkfifo is not available");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(fifo, NEW));
        assertTrue(e.getMessage().contains("expected a regular file") && e.getMessage().contains("a FIFO"), e.getMessage());
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the FIFO is still a FIFO");
    }

    @Test
    void aSocketAndACharacterDeviceAreRefused() throws IOException {
        Path socket = folder.resolve("s.json");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            IOException e = assertThrows(IOException.class, () -> AtomicFile.write(socket, NEW));
            assertTrue(e.getMessage().contains("a socket"), e.getMessage());
        }
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull));
        // only the check: a write that got through would replace /dev/null when run as root
        IOException e = assertThrows(IOException.class, () -> AtomicFile.checkWritable(devNull, 0));
        assertTrue(e.getMessage().contains("/dev/null") && e.getMessage().contains("a character device"), e.getMessage());
    }

    @Test
    void anEmptyPathIsRefused() {
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(Path.of(""), NEW));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void aMissingFolderIsNamed() {
        Path file = folder.resolve("no/such/model.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.checkWritable(file, 0));
        assertTrue(e.getMessage().contains(folder.resolve("no/such").toString()), e.getMessage());
    }

    @Test
    void tooLittleSpaceIsRefusedUpFront() throws IOException {
        IOException e = assertThrows(IOException.class,
                () -> AtomicFile.checkWritable(folder.resolve("m.json"), Long.MAX_VALUE / 2));
        assertTrue(e.getMessage().contains("free"), e.getMessage());
        try (Stream<Path> left = Files.list(folder)) {
            assertEquals(List.of(), left.toList(), "the probe file is gone");
        }
    }

    @Test
    void aFailedWriteNamesTheTargetNotTheTemporaryFile() throws IOException {
        Path file = folder.resolve("model.json");
        Files.writeString(file, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            out.write("half");
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
        assertEquals("old", Files.readString(file));
    }

    @Test
    void anExistingFileKeepsItsPermissions() throws IOException {
        assumeTrue(Files.getFileStore(folder).supportsFileAttributeView("posix"));
        for (String mode : List.of("rw-------", "rw-rw----", "rwxr-x---")) {
            Path file = folder.resolve("kept-" + mode + ".npy");
            Files.write(file, new byte[] {1});
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
            AtomicFile.write(file, NEW);
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "bytes");
            AtomicFile.write(file, out -> out.write("text"));
            assertEquals(mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "text");
        }
    }

    @Test
    void aNewFileGetsTheUmaskDefault() throws IOException {
        assumeTrue(Files.getFileStore(folder).supportsFileAttributeView("posix"));
        // what any program that opens a new file gets: 0666 less the umask
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(Files.createFile(folder.resolve("plain")));
        Path bytes = folder.resolve("new.npy");
        AtomicFile.write(bytes, NEW);
        assertEquals(expected, Files.getPosixFilePermissions(bytes));
        Path text = folder.resolve("new.json");
        AtomicFile.write(text, out -> out.write("text"));
        assertEquals(expected, Files.getPosixFilePermissions(text));
    }

    @Test
    void staleTemporaryFilesOfTheSameTargetAreRemovedOnTheNextSave() throws IOException {
        Path file = folder.resolve("model.json");
        long dead = deadPid();
        // what an earlier run killed with -9 mid-save left, and one of another target
        Path stale = Files.write(folder.resolve(".model.json." + dead + "-12345.tmp"), new byte[100]);
        Path other = Files.write(folder.resolve(".other.json." + dead + "-12345.tmp"), new byte[100]);
        Path foreign = Files.write(folder.resolve(".model.json.notours.tmp"), new byte[1]);
        AtomicFile.write(file, NEW);
        assertFalse(Files.exists(stale), "the stale temporary of model.json is removed");
        assertTrue(Files.exists(other), "another target's temporary is not ours to remove");
        assertTrue(Files.exists(foreign), "a file not named as ours is left alone");
    }

    @Test
    void aSignalDuringASaveRemovesItsTemporaryFileAndKeepsTheOldOne() throws Exception {
        Path file = folder.resolve("model.json");
        Files.writeString(file, "old");
        // the shutdown hook runs deleteActive() on SIGTERM or Ctrl-C while the body is still writing
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(file, out -> {
            out.write("half of a large model");
            out.flush();
            AtomicFile.deleteActive();
            out.write("the rest");
        }));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertEquals("old", Files.readString(file));
        try (Stream<Path> left = Files.list(folder)) {
            assertEquals(List.of(file), left.toList(), "no temporary file left");
        }
    }

    /** A process id that no running process has. */
    private static long deadPid() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        return pid;
    }
}
