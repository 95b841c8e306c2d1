package dev.kiln.builder.engine.config;

import dev.kiln.builder.dockerfile.UserInstruction;
import dev.kiln.oci.ImageConfig;

/** USER: sets {@code User} as written (names are resolved when a container starts). */
record UserChange(UserInstruction user) implements ConfigChange {
    @Override
    public ImageConfig apply(ImageConfig before) {
        return before.withConfig(before.config().withUser(user.user()));
    }

    @Override
    public String createdBy(ImageConfig before) {
        return "USER " + user.user();
    }
}
