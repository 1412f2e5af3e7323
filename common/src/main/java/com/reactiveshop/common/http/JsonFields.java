package com.reactiveshop.common.http;

import com.reactiveshop.common.ids.ObjectIds;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the fields of one JSON object strictly: exact types (no coercion, no floats for integers, no objects where a
 * string is asked), lengths in characters, no control characters, no fields beyond the allowed ones. Every problem is
 * collected, so one 400 answer lists them all; {@link #validate()} throws it.
 */
public final class JsonFields {

  /** Read-only fields a client may send back unchanged (PUT what you got); they are ignored, not rejected. */
  public static final Set<String> READ_ONLY = Set.of("id", "createdAt", "updatedAt");

  private static final Pattern EMAIL = Pattern.compile(
      "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
          + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

  private static final int MAX_DETAILS = 50;

  private final JsonObject source;
  private final String prefix;
  private final List<FieldError> errors;

  private JsonFields(JsonObject source, String prefix, List<FieldError> errors) {
    this.source = source;
    this.prefix = prefix;
    this.errors = errors;
  }

  /** Fields of {@code source}; any field outside {@code allowed} and {@code ignored} is an error. */
  public static JsonFields of(JsonObject source, Set<String> allowed, Set<String> ignored) {
    JsonFields fields = new JsonFields(source, "", new ArrayList<>());
    fields.rejectUnknown(allowed, ignored);
    return fields;
  }

  /**
   * The {@code "id"} of a request by id ({@code {"id": "..."}}, nothing else): any string, since an id of the wrong
   * shape is simply not found; a missing or non-string id or another field is 400 {@code validation_failed}.
   */
  public static String idOf(JsonObject request) {
    JsonFields fields = of(request, Set.of("id"));
    if (!(request.getValue("id") instanceof String)) {
      fields.error("id", request.containsKey("id") ? "must be a string" : "is required");
    }
    fields.validate();
    return request.getString("id");
  }

  public static JsonFields of(JsonObject source, Set<String> allowed) {
    return of(source, allowed, Set.of());
  }

  /** The fields of a nested object, reported as {@code path.field}, collected into the same error list. */
  public JsonFields nested(JsonObject child, String path, Set<String> allowed) {
    JsonFields fields = new JsonFields(child, prefix + path + ".", errors);
    fields.rejectUnknown(allowed, Set.of());
    return fields;
  }

  private void rejectUnknown(Set<String> allowed, Set<String> ignored) {
    for (String name : source.fieldNames()) {
      if (!allowed.contains(name) && !ignored.contains(name)) {
        error(name, "is not a known field");
      }
    }
  }

  public String name(String field, int maxLength, boolean required) {
    String value = string(field, 1, maxLength, required, false);
    if (value != null && value.isBlank()) {
      error(field, "must not be blank");
      return null;
    }
    return value;
  }

  /** Free text: like a name, but tabs and line breaks are allowed and it may be empty. */
  public String text(String field, int maxLength, boolean required) {
    return string(field, 0, maxLength, required, true);
  }

  public String email(String field) {
    String value = string(field, 3, 254, true, false);
    if (value != null && !EMAIL.matcher(value).matches()) {
      error(field, "must be a valid email address");
      return null;
    }
    return value;
  }

  /**
   * A document id: any non-blank string of at most 100 characters, returned in lower case when it is an ObjectId
   * (24 hex characters, accepted in any case; the form ids are stored and shown in). A string of another shape names
   * nothing, so it is for the lookup to answer "not found", as for an id in a URL; it is not a validation error.
   */
  public String id(String field) {
    String id = name(field, 100, true);
    if (id == null) {
      return null;
    }
    String canonical = ObjectIds.canonical(id);
    return canonical != null ? canonical : id;
  }

  public Long integer(String field, long min, long max, boolean required) {
    Object value = source.getValue(field);
    if (value == null) {
      missing(field, required);
      return null;
    }
    String range = max == Long.MAX_VALUE ? "an integer >= " + min : "an integer from " + min + " to " + max;
    boolean integral = value instanceof Integer || value instanceof Long || value instanceof BigInteger;
    if (!integral) {
      error(field, "must be " + range);
      return null;
    }
    if (value instanceof BigInteger
        || ((Number) value).longValue() < min || ((Number) value).longValue() > max) {
      error(field, "must be " + range);
      return null;
    }
    return ((Number) value).longValue();
  }

  public JsonArray array(String field, int minSize, int maxSize) {
    Object value = source.getValue(field);
    if (value == null) {
      missing(field, true);
      return null;
    }
    if (!(value instanceof JsonArray array)) {
      error(field, "must be an array");
      return null;
    }
    if (array.size() < minSize || array.size() > maxSize) {
      error(field, "must have between " + minSize + " and " + maxSize + " entries");
      return null;
    }
    return array;
  }

  /** Reads one entry of an array of objects; {@code entry} reports its problems as {@code field[index].name}. */
  @FunctionalInterface
  public interface EntryReader {
    void read(int index, JsonFields entry);
  }

  /**
   * An array of {@code minSize..maxSize} objects, each read by {@code reader} with only {@code allowed} fields; an
   * entry that is not an object is reported and skipped.
   */
  public void eachObject(String field, int minSize, int maxSize, Set<String> allowed, EntryReader reader) {
    JsonArray array = array(field, minSize, maxSize);
    if (array == null) {
      return;
    }
    for (int i = 0; i < array.size(); i++) {
      String path = field + "[" + i + "]";
      if (array.getValue(i) instanceof JsonObject entry) {
        reader.read(i, nested(entry, path, allowed));
      } else {
        error(path, "must be an object");
      }
    }
  }

  private String string(String field, int min, int max, boolean required, boolean allowLineBreaks) {
    Object value = source.getValue(field);
    if (value == null) {
      missing(field, required);
      return null;
    }
    if (!(value instanceof String text)) {
      error(field, "must be a string");
      return null;
    }
    int length = text.codePointCount(0, text.length());
    if (length < min || length > max) {
      error(field, min == 0 ? "must be at most " + max + " characters"
          : "must be between " + min + " and " + max + " characters");
      return null;
    }
    String problem = characterProblem(text, allowLineBreaks);
    if (problem != null) {
      error(field, problem);
      return null;
    }
    return text;
  }

  /** What is wrong with the characters of {@code text}, in one pass; null when nothing is. */
  private static String characterProblem(String text, boolean allowLineBreaks) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        // JSON's "\ud800" escape can name half a character; stored as UTF-8 it would come back as U+FFFD, not as sent.
        return "must be valid Unicode text (an unpaired surrogate is not a character)";
      } else if (Character.getType(c) == Character.CONTROL
          && !(allowLineBreaks && (c == '\n' || c == '\r' || c == '\t'))) {
        return "must not contain control characters";
      }
    }
    return null;
  }

  private void missing(String field, boolean required) {
    if (required) {
      error(field, source.containsKey(field) ? "must not be null" : "is required");
    } else if (source.containsKey(field)) {
      error(field, "must not be null");
    }
  }

  public void error(String field, String message) {
    errors.add(new FieldError(prefix + field, message));
  }

  /** Throws one {@code validation_failed} error listing every problem found so far. */
  public void validate() {
    if (!errors.isEmpty()) {
      JsonArray details = new JsonArray();
      // A body of thousands of unknown fields should not get an answer five times its size.
      errors.stream().limit(MAX_DETAILS).forEach(e -> details.add(e.toJson()));
      throw ApiError.validation(details);
    }
  }
}
