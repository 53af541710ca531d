package dev.deltaprop.cli;

import picocli.CommandLine;

/** The version line of {@code deltaprop --version}: the project's and the Java runtime's. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {
            "deltaprop " + (version == null ? "(development build)" : version),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
        };
    }
}
