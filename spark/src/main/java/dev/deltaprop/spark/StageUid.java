package dev.deltaprop.spark;

import org.apache.spark.ml.util.Identifiable$;

/**
 * Hands a stage its uid before its Scala superclass is built. Spark's shared params
 * ({@code featuresCol}, …) are created inside the superclass's constructor and ask the stage for
 * {@code uid()} there, before any field of a Java subclass is set; a param whose parent is not the
 * stage's uid is later refused. So a constructor passes its uid through here first
 * ({@code this(StageUid.pass(uid))}), and {@code uid()} takes it on first use, on the same thread.
 */
final class StageUid {
    private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

    /** What a constructor hands to its private twin: proof that {@link #pass} ran. */
    static final class Token {
        private Token() {
        }
    }

    private StageUid() {
    }

    static Token pass(String uid) {
        if (uid == null || uid.isEmpty()) {
            throw new IllegalArgumentException("uid: expected a non-empty string, found " + (uid == null ? "null" : "''"));
        }
        PENDING.set(uid);
        return new Token();
    }

    /** The uid passed on this thread; once. */
    static String take() {
        String uid = PENDING.get();
        if (uid == null) {
            throw new IllegalStateException("uid: no uid was passed to this stage's constructor");
        }
        PENDING.remove();
        return uid;
    }

    static String random(String prefix) {
        return Identifiable$.MODULE$.randomUID(prefix);
    }
}
