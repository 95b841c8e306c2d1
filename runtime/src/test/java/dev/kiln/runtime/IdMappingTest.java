package dev.kiln.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IdMappingTest {
    private static final IdMapping.Range ROOT_ONLY = new IdMapping.Range(0, 1001, 1);
    private static final IdMapping.Range SUBIDS = new IdMapping.Range(1, 100000, 65536);

    @Test
    void single_mapsOnlyRoot() {
        IdMapping m = new IdMapping(List.of(ROOT_ONLY), List.of(ROOT_ONLY), false);
        assertThat(m.isSingle()).isTrue();
        assertThat(m.isInitial()).isFalse();
        assertThat(m.mapsUid(0)).isTrue();
        assertThat(m.mapsUid(1000)).isFalse();
    }

    @Test
    void range_mapsUpTo65536() {
        IdMapping m = new IdMapping(List.of(ROOT_ONLY, SUBIDS), List.of(ROOT_ONLY, SUBIDS), true);
        assertThat(m.isSingle()).isFalse();
        assertThat(m.mapsUid(1000)).isTrue();
        assertThat(m.mapsGid(65536)).isTrue();
        assertThat(m.mapsUid(65537)).isFalse();
    }

    /** Root over its own range (Userns ROOT_RANGE): containers get the range without host root. */
    @Test
    void rootRange_keepsHostRootAside_andContainersGetTheRangeOnly() {
        IdMapping.Range range = new IdMapping.Range(0, 300000, 65536);
        IdMapping.Range hostRoot = new IdMapping.Range(65536, 0, 1);
        IdMapping m = new IdMapping(List.of(range, hostRoot), List.of(range, hostRoot), true);
        assertThat(m.mapsHostRootAside()).isTrue();
        assertThat(m.hostRootAside()).hasValue(65536);
        assertThat(m.hostRootGroupAside()).hasValue(65536);
        IdMapping containers = m.withoutHostRoot();
        assertThat(containers.uids()).containsExactly(range);
        assertThat(containers.mapsUid(65536)).isFalse();
        assertThat(containers.mapsHostRootAside()).isFalse();
        assertThat(containers.isInitial()).isFalse();
        assertThat(containers.isSingle()).isFalse();
        assertThat(Sandbox.describeIds(containers)).isEqualTo("subuid range 300000-365535");
    }

    @Test
    void userRange_andInitial_keepNoHostRootAside() {
        IdMapping user = new IdMapping(List.of(ROOT_ONLY, SUBIDS), List.of(ROOT_ONLY, SUBIDS), true);
        assertThat(user.mapsHostRootAside()).isFalse();
        assertThat(user.withoutHostRoot()).isEqualTo(user);
        assertThat(Sandbox.describeIds(user)).isEqualTo("subuid range 100000-165535");
        IdMapping.Range all = new IdMapping.Range(0, 0, 4294967295L);
        assertThat(new IdMapping(List.of(all), List.of(all), true).mapsHostRootAside()).isFalse();
    }

    @Test
    void initial_isTheIdentityOverAllIds() {
        IdMapping.Range all = new IdMapping.Range(0, 0, 4294967295L);
        assertThat(new IdMapping(List.of(all), List.of(all), true).isInitial()).isTrue();
    }

    @Test
    void current_readsThisProcess() {
        IdMapping m = IdMapping.current();
        assertThat(m.uids()).isNotEmpty();
        assertThat(m.mapsUid(dev.kiln.runtime.linux.Syscalls.geteuid())).isTrue();
    }
}
