package dev.deltaprop.spark;

import org.apache.spark.ml.util.Identifiable$;

/**
 * Hands a stage its uid before its Scala superclass is built. Spark's shared params
 * ({@code featuresCol}, …) are created inside the superclass's constructor and ask the stage for
 * {@code uid()} there, before any field of a Java subclass is set; a param whose parent is not the
 * stage's uid is later refused. So a constructor passes its uid through here first
 * ({@code this(StageUid.pass(uid))}, or its caller: {@code new Model(StageUid.pass(uid), …)}, a
 * {@link Token} parameter proving it), and {@code uid()} takes it on first use, on the same thread
 * ({@link #orTake}).
 */
final class StageUid {
    private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

    /** What a stage's constructor takes as proof that {@link #pass} ran just before (in its twin constructor or its caller). */
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

    /**
     * What a stage's {@code uid()} returns and keeps: the uid it has, or, on first use (in its Scala
     * superclass's constructor), the one passed on this thread.
     *
     * @param uid the stage's uid field, null before first use
     */
    static String orTake(String uid) {
        return uid != null ? uid : take();
    }

    /** The uid passed on this thread; once. */
    private static String take() {
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
