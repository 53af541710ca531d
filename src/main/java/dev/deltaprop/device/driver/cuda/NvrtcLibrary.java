package dev.deltaprop.device.driver.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where an NVRTC library ({@code libnvrtc.so.13}, {@code .so.12}) is on this machine, found
 * without loading anything: CUDA's runtime compiler is part of the toolkit, not of the driver,
 * so a user may or may not have it, and under any of several roots (a toolkit in
 * {@code /usr/local/cuda-*}, a distribution package, or a Python wheel such as PyTorch's
 * {@code nvidia-cuda-nvrtc}).
 *
 * <p>Search order: {@code DELTAPROP_NVRTC} (a file or a folder), {@code LD_LIBRARY_PATH},
 * {@code CUDA_HOME}/{@code CUDA_PATH}, {@code /usr/local/cuda*}, the system library folders,
 * then the {@code nvidia} wheels of Python environments under {@code /usr}, {@code /opt} and
 * the user's home. Within a folder the newest major version wins.
 */
final class NvrtcLibrary {

    /** Library names, newest first: CUDA 13 and 12 are what NVRTC 13/12 install. */
    static final List<String> NAMES = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");

    /** A found library and its companion {@code libnvrtc-builtins} (same folder), which NVRTC loads by itself. */
    record Found(Path library, Path builtins) {
    }

    private NvrtcLibrary() {
    }

    /** The first usable NVRTC library, or {@code null}. */
    static Found find(Map<String, String> environment) {
        String explicit = environment.get("DELTAPROP_NVRTC");
        if (explicit != null && !explicit.isBlank() && Files.isRegularFile(Path.of(explicit))) {
            Path library = Path.of(explicit);
            return new Found(library, builtinsBeside(library));
        }
        for (Path folder : folders(environment)) {
            Found found = inFolder(folder);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The folders searched, in order (for messages and tests). */
    static List<Path> folders(Map<String, String> environment) {
        Set<Path> folders = new LinkedHashSet<>();
        String explicit = environment.get("DELTAPROP_NVRTC");
        if (explicit != null && !explicit.isBlank() && Files.isDirectory(Path.of(explicit))) {
            folders.add(Path.of(explicit));
        }
        String libraryPath = environment.getOrDefault("LD_LIBRARY_PATH", "");
        for (String entry : libraryPath.split(":")) {
            if (!entry.isBlank()) {
                folders.add(Path.of(entry));
            }
        }
        for (String home : new String[] {environment.get("CUDA_HOME"), environment.get("CUDA_PATH")}) {
            if (home != null && !home.isBlank()) {
                folders.add(Path.of(home, "lib64"));
                folders.add(Path.of(home, "lib"));
            }
        }
        folders.add(Path.of("/usr/local/cuda/lib64"));
        folders.addAll(newestFirst(Path.of("/usr/local"), "cuda-", "lib64"));
        folders.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        folders.add(Path.of("/usr/lib64"));
        for (Path site : pythonSites(environment)) {
            // the wheels: nvidia-cuda-nvrtc (CUDA 13: nvidia/cu13/lib; CUDA 12: nvidia/cuda_nvrtc/lib)
            folders.add(site.resolve("nvidia/cu13/lib"));
            folders.add(site.resolve("nvidia/cuda_nvrtc/lib"));
        }
        List<Path> existing = new ArrayList<>();
        for (Path folder : folders) {
            if (Files.isDirectory(folder)) {
                existing.add(folder);
            }
        }
        return existing;
    }

    private static Found inFolder(Path folder) {
        for (String name : NAMES) {
            Path library = folder.resolve(name);
            if (Files.isRegularFile(library)) {
                return new Found(library, builtinsBeside(library));
            }
        }
        return null;
    }

    /** {@code libnvrtc-builtins.so.13.0} (or the like) next to the library, or {@code null}. */
    static Path builtinsBeside(Path library) {
        Path folder = library.toAbsolutePath().getParent();
        if (folder == null) {
            return null;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder, "libnvrtc-builtins.so*")) {
            Path best = null;
            for (Path entry : entries) {
                if (best == null || entry.getFileName().toString().length() > best.getFileName().toString().length()) {
                    best = entry;   // the fully versioned name, not the dev link
                }
            }
            return best;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code <root>/<prefix>X.Y/<sub>} folders, highest version first. */
    private static List<Path> newestFirst(Path root, String prefix, String sub) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, prefix + "*")) {
            for (Path entry : entries) {
                found.add(entry.resolve(sub));
            }
        } catch (IOException e) {
            return found;
        }
        found.sort(Comparator.comparing((Path p) -> versionKey(p.getParent().getFileName().toString())).reversed());
        return found;
    }

    private static String versionKey(String name) {
        StringBuilder key = new StringBuilder();
        for (String part : name.replaceAll("[^0-9.]", "").split("\\.")) {
            key.append(String.format("%06d", part.isEmpty() ? 0 : Integer.parseInt(part)));
        }
        return key.toString();
    }

    /** {@code site-packages} folders of the Python environments a machine typically has. */
    private static List<Path> pythonSites(Map<String, String> environment) {
        List<Path> sites = new ArrayList<>();
        List<Path> libs = new ArrayList<>(List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib")));
        String virtualEnv = environment.get("VIRTUAL_ENV");
        if (virtualEnv != null) {
            libs.add(Path.of(virtualEnv, "lib"));
        }
        String home = environment.get("HOME");
        if (home != null) {
            libs.add(Path.of(home, ".local/lib"));
        }
        // /opt/<name>/.venv/lib and /opt/<name>/lib (PyTorch images keep their environment there)
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/opt"))) {
            for (Path entry : entries) {
                libs.add(entry.resolve(".venv/lib"));
                libs.add(entry.resolve("lib"));
            }
        } catch (IOException | SecurityException e) {
            // no /opt: nothing to add
        }
        for (Path lib : libs) {
            if (!Files.isDirectory(lib)) {
                continue;
            }
            try (DirectoryStream<Path> pythons = Files.newDirectoryStream(lib, "python3*")) {
                for (Path python : pythons) {
                    sites.add(python.resolve("site-packages"));
                    sites.add(python.resolve("dist-packages"));
                }
            } catch (IOException e) {
                // unreadable: skip
            }
        }
        return sites;
    }
}
