package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.Command;
import dev.kiln.oci.ImageConfig;
import java.util.ArrayList;
import java.util.List;

/** The shell a shell-form command runs with: the image's {@code Shell}, else {@code /bin/sh -c}. */
public final class Shells {
    static final List<String> DEFAULT = List.of("/bin/sh", "-c");

    private Shells() {}

    public static List<String> of(ImageConfig image) {
        return image.config().shell().isEmpty() ? DEFAULT : image.config().shell();
    }

    /** The argv of {@code command}: exec form as written, shell form as {@code SHELL + [script]}. */
    static List<String> argv(Command command, ImageConfig image) {
        if (command.execForm()) {
            return command.args();
        }
        List<String> argv = new ArrayList<>(of(image));
        argv.add(command.args().get(0));
        return argv;
    }
}
