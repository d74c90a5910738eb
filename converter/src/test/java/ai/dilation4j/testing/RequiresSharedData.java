package ai.dilation4j.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class or method that needs {@code ../shared}: without it the tests are reported as skipped (with
 * the reason) instead of vanishing, as they did when a parameterized test's argument source found no fixtures.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresSharedData.Condition.class)
public @interface RequiresSharedData {

    /** Enables the test only when the shared directory holds the fixtures. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return Files.isDirectory(SharedData.root().resolve("fixtures"))
                    ? ConditionEvaluationResult.enabled("../shared is available")
                    : ConditionEvaluationResult.disabled("../shared is not available: " + SharedData.root());
        }
    }
}
