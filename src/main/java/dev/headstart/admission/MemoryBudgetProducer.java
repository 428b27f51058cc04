package dev.headstart.admission;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** One {@link MemoryBudget} per server, sized from this JVM's heap. */
public class MemoryBudgetProducer {

    @Produces
    @Singleton
    MemoryBudget budget() {
        return MemoryBudget.forThisJvm();
    }
}
