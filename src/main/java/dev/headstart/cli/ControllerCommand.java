package dev.headstart.cli;

import picocli.CommandLine.Command;

/**
 * {@code headstart controller}: the leader-elected controller role (Quarkus profile
 * {@code controller}); like {@link ServeCommand}, {@link dev.headstart.HeadstartMain} starts it.
 */
@Command(name = "controller",
        description = {"Run the leader-elected controller (headroom, background scan, image cache, warm pools) "
                + "with the 'controller' profile: health and metrics on quarkus.management.port (9001), no webhook.",
                "Needs a cluster (in a pod, KUBECONFIG or ~/.kube/config). See docs/controller.md."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"1:failed to start (the log says why)", "2:usage error",
                "130:stopped by SIGINT (Ctrl-C)", "143:stopped by SIGTERM (how Kubernetes stops a pod)"})
public class ControllerCommand {
}
