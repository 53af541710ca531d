package dev.deltaprop.device.driver;

/** The handles a {@link NativeDriver} gives out: each knows its driver, so that one driver refuses another's. */
final class Handles {
    private Handles() {
    }

    /** A device buffer; its handle changes only in {@link #loseHandle}. */
    static final class Buffer<B> implements Driver.Memory {
        final NativeDriver<?, ?, ?, ?> owner;
        B handle;
        final long elements;
        boolean freed;

        Buffer(NativeDriver<?, ?, ?, ?> owner, B handle, long elements) {
            this.owner = owner;
            this.handle = handle;
            this.elements = elements;
        }

        @Override
        public long elements() {
            return elements;
        }

        @Override
        public String toString() {
            return "buffer of " + elements + " elements (" + owner.binding() + ")";
        }
    }

    record Built<P>(NativeDriver<?, ?, ?, ?> owner, P handle, String name) implements Driver.Program {
        @Override
        public String toString() {
            return "program " + name + " (" + owner.binding() + ")";
        }
    }

    static final class Function<K> implements Driver.Kernel {
        final NativeDriver<?, ?, ?, ?> owner;
        final K handle;
        final String name;
        int groupLimit;

        Function(NativeDriver<?, ?, ?, ?> owner, K handle, String name) {
            this.owner = owner;
            this.handle = handle;
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return "kernel " + name + " (" + owner.binding() + ")";
        }
    }

    record Mark<E>(NativeDriver<?, ?, ?, ?> owner, E handle) implements Driver.TimingMark {
    }

    /** A fence of the upload lane ({@link UploadLane}); its native holder is {@code null} where there is no lane. */
    static final class Fence implements Driver.Fence {
        final NativeDriver<?, ?, ?, ?> owner;
        final Object handle;
        boolean signalled;
        boolean released;

        Fence(NativeDriver<?, ?, ?, ?> owner, Object handle) {
            this.owner = owner;
            this.handle = handle;
        }

        @Override
        public String toString() {
            return "fence (" + owner.binding() + (signalled ? ", signalled" : "") + ")";
        }
    }

    /** A graph made ready to launch, and the buffers its launches use (freeing one destroys it). */
    static final class Graph implements Driver.Graph {
        final NativeDriver<?, ?, ?, ?> owner;
        final Object handle;
        final java.util.Set<Driver.Memory> uses;
        final int launches;
        boolean destroyed;

        Graph(NativeDriver<?, ?, ?, ?> owner, Object handle, java.util.Set<Driver.Memory> uses, int launches) {
            this.owner = owner;
            this.handle = handle;
            this.uses = uses;
            this.launches = launches;
        }

        @Override
        public boolean live() {
            return !destroyed;
        }

        @Override
        public int launches() {
            return launches;
        }

        @Override
        public String toString() {
            return "graph of " + launches + " launches (" + owner.binding() + (destroyed ? ", destroyed" : "") + ")";
        }
    }
}
