package io.puffgres.migration;

import io.puffgres.document.IdType;

/** The {@code [id]} of a mapping: which column becomes the document id, and as which id type. */
public record IdSpec(String column, IdType type) {}
