package dev.headstart.telemetry;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;

class SummaryTest {

    @Test
    void nearestRankOfTenValues() {
        // ranks ⌈0.5×10⌉=5, ⌈0.9×10⌉=9, ⌈0.99×10⌉=10
        Summary summary = Summary.of(List.of(7.0, 1.0, 10.0, 3.0, 2.0, 9.0, 4.0, 8.0, 6.0, 5.0));
        assertThat(summary).isEqualTo(new Summary(10, OptionalDouble.of(5), OptionalDouble.of(9), OptionalDouble.of(10),
                OptionalDouble.of(10)));
    }

    @Test
    void nearestRankAtExactAndInexactRanks() {
        // n=100: ranks 50, 90, 99 exactly; n=101: ⌈50.5⌉=51, ⌈90.9⌉=91, ⌈99.99⌉=100
        assertThat(Summary.of(Objects.range(1, 100))).isEqualTo(new Summary(100, OptionalDouble.of(50),
                OptionalDouble.of(90), OptionalDouble.of(99), OptionalDouble.of(100)));
        assertThat(Summary.of(Objects.range(1, 101))).isEqualTo(new Summary(101, OptionalDouble.of(51),
                OptionalDouble.of(91), OptionalDouble.of(100), OptionalDouble.of(101)));
    }

    @Test
    void oneValueIsEveryFigure() {
        assertThat(Summary.of(List.of(2.5))).isEqualTo(new Summary(1, OptionalDouble.of(2.5), OptionalDouble.of(2.5),
                OptionalDouble.of(2.5), OptionalDouble.of(2.5)));
    }

    @Test
    void noValuesGiveNullFigures() {
        assertThat(Summary.of(List.of())).isEqualTo(Summary.EMPTY);
        assertThat(Summary.EMPTY.toJson().toString())
                .isEqualTo("{\"count\":0,\"p50\":null,\"p90\":null,\"p99\":null,\"max\":null}");
        assertThat(Summary.of(List.of(1.5, 3.0)).toJson().toString())
                .isEqualTo("{\"count\":2,\"p50\":1.5,\"p90\":3.0,\"p99\":3.0,\"max\":3.0}");
    }
}
