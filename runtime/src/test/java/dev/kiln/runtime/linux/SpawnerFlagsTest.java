package dev.kiln.runtime.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpawnerFlagsTest {
    @Test
    void theSpawnerMapsTheLaunchersClassDataArchiveAndNothingElseOfKilnsFlags() {
        List<String> kiln = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xlog:cds=off,cds+dynamic=off",
                "-XX:SharedArchiveFile=/home/u/.cache/kiln/classes-1.static.jsa", "-Duser.home=/home/u", "-Xmx2g");
        List<String> expected = new ArrayList<>(Spawner.JVM_FLAGS);
        expected.addAll(List.of("-Xlog:cds=off,cds+dynamic=off", "-XX:SharedArchiveFile=/home/u/.cache/kiln/classes-1.static.jsa"));
        assertEquals(expected, Spawner.jvmFlags(kiln));
    }

    @Test
    void anAotCacheReplacesXshareAutoWhichTheJvmRefusesBesideIt() {
        List<String> kiln = List.of("-XX:+UseSerialGC", "-Xlog:cds=off,cds+dynamic=off",
                "-XX:AOTCache=/c/classes-1.aot", "-Xlog:aot=off,aot+codecache=off");
        List<String> flags = Spawner.jvmFlags(kiln);
        assertEquals(List.of("-XX:AOTCache=/c/classes-1.aot", "-Xlog:aot=off,aot+codecache=off"),
                flags.subList(flags.size() - 2, flags.size()));
        assertEquals(-1, flags.indexOf("-Xshare:auto"));
        assertEquals(Spawner.JVM_FLAGS.size() - 1 + 3, flags.size());
    }

    @Test
    void withoutAStartUpCacheTheSpawnerKeepsItsOwnFlags() {
        assertEquals(Spawner.JVM_FLAGS, Spawner.jvmFlags(List.of("-XX:+UseSerialGC", "-Xms16m")));
    }
}
