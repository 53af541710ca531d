package dev.deltaprop.device.driver.jcuda;

import dev.deltaprop.device.driver.cuda.CudaDriverFactory;

/**
 * Opens {@link JcudaDriver}s for the {@code cuda} backend. The first question checks that JCuda
 * is on the class path before any JCuda class is touched, then loads JCuda's native library and
 * initialises CUDA once per JVM ({@link Jcuda}): a native library that failed to load will not load later.
 */
public final class JcudaDriverFactory extends CudaDriverFactory {
    public JcudaDriverFactory() {
        super("JCuda");
    }

    @Override
    protected String classPathFailure() {
        try {
            Class.forName("jcuda.driver.JCudaDriver", false, JcudaDriverFactory.class.getClassLoader());
            return null;
        } catch (ClassNotFoundException | LinkageError e) {
            return "JCuda is not on the class path (" + e.getMessage() + "); add org.jcuda:jcuda 12.6.0";
        }
    }

    @Override
    protected Binding binding() {
        return new Jcuda();
    }
}
