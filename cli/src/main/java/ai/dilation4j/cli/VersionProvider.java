package ai.dilation4j.cli;

import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"dilation4j " + (version == null ? "dev" : version)
                + " (DL4J 1.0.0-M2.1, Java " + Runtime.version() + ")"};
    }
}
