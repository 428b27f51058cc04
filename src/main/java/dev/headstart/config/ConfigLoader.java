package dev.headstart.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.io.IOException;
import java.net.URL;

/**
 * Builds {@link HeadstartConfig} without starting Quarkus, for the CLI: the same keys, defaults,
 * {@code application.properties}, system properties and environment variables as the server.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    public static HeadstartConfig load() {
        return config().getConfigMapping(HeadstartConfig.class);
    }

    /** The configuration itself: {@link HeadstartConfig} as its mapping, and any key by name. */
    public static SmallRyeConfig config() {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .addDiscoveredConverters() // Quarkus's Duration converter ("15s", "5m"), as in the server
                .withMapping(HeadstartConfig.class);
        URL properties = ConfigLoader.class.getClassLoader().getResource("application.properties");
        if (properties != null) {
            try {
                builder.withSources(new PropertiesConfigSource(properties, 250));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read application.properties: " + e.getMessage(), e);
            }
        }
        return builder.build();
    }
}
