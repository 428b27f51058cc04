package dev.headstart.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code --version} / {@code -V}: the Maven project version, filtered into a resource at build time. */
public final class HeadstartVersion implements IVersionProvider {

    static final String RESOURCE = "/dev/headstart/version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"headstart " + version()};
    }

    static String version() {
        try (InputStream in = HeadstartVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "unknown");
            // Unfiltered (run from an IDE without Maven's resource step): say so rather than print a placeholder.
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
