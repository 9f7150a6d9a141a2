package io.bronzecdc.model.source;

import java.util.Objects;

/**
 * A privilege the pipeline's role lacks to apply a {@link SourceFix} itself.
 *
 * @param privilege what is missing and on what, for example {@code ownership of table public.orders (owner: app)}
 * @param grant the statement that gives it, run by the object's owner or a superuser, for example
 *     {@code GRANT app TO cdc_reader}
 */
public record PrivilegeGap(String privilege, String grant) {
    public PrivilegeGap {
        Objects.requireNonNull(privilege, "privilege");
        Objects.requireNonNull(grant, "grant");
    }
}
