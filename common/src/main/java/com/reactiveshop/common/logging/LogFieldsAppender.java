package com.reactiveshop.common.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;
import com.reactiveshop.common.tracing.CurrentSpan;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Vertx;
import org.slf4j.event.KeyValuePair;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A Logback appender that adds {@link LogFields} to each event, as key-value pairs, on the thread that logs it (so on
 * the Vert.x context of the request), then passes the event to the appenders it wraps (which encode it as text or
 * JSON). {@code service} comes from the context ({@link LogFields#tagService}), else {@code defaultService} when one
 * is configured; {@code trace_id} and {@code span_id} from the request's current span, unless the event already
 * names them (an access line carries its request's own).
 *
 * <pre>{@code
 * <appender name="json" class="com.reactiveshop.common.logging.LogFieldsAppender">
 *   <defaultService>reactive-shop</defaultService>
 *   <appender-ref ref="jsonConsole"/>
 * </appender>
 * }</pre>
 */
public final class LogFieldsAppender extends UnsynchronizedAppenderBase<ILoggingEvent>
    implements AppenderAttachable<ILoggingEvent> {

  private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
  private String defaultService;

  /** The service named on lines logged outside any service's context (the launcher's own); none when unset. */
  public void setDefaultService(String defaultService) {
    this.defaultService = defaultService == null || defaultService.isBlank() ? null : defaultService.trim();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event instanceof LoggingEvent logging) {
      addFields(logging);
    }
    appenders.appendLoopOnAppenders(event);
  }

  private void addFields(LoggingEvent event) {
    String service = LogFields.serviceOf(Vertx.currentContext());
    if (service == null) {
      service = defaultService;
    }
    List<KeyValuePair> given = event.getKeyValuePairs();
    SpanContext span = hasTrace(given) ? null : CurrentSpan.ids();
    if (service == null && span == null) {
      return;
    }
    List<KeyValuePair> pairs = new ArrayList<>((given == null ? 0 : given.size()) + 3);
    if (service != null) {
      pairs.add(new KeyValuePair(LogFields.SERVICE, service));
    }
    if (span != null) {
      pairs.add(new KeyValuePair(LogFields.TRACE_ID, span.getTraceId()));
      pairs.add(new KeyValuePair(LogFields.SPAN_ID, span.getSpanId()));
    }
    if (given != null) {
      pairs.addAll(given);
    }
    event.setKeyValuePairs(pairs);
  }

  private static boolean hasTrace(List<KeyValuePair> pairs) {
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        if (LogFields.TRACE_ID.equals(pair.key)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public void stop() {
    super.stop();
    appenders.detachAndStopAllAppenders();
  }

  @Override
  public void addAppender(Appender<ILoggingEvent> appender) {
    appenders.addAppender(appender);
  }

  @Override
  public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
    return appenders.iteratorForAppenders();
  }

  @Override
  public Appender<ILoggingEvent> getAppender(String name) {
    return appenders.getAppender(name);
  }

  @Override
  public boolean isAttached(Appender<ILoggingEvent> appender) {
    return appenders.isAttached(appender);
  }

  @Override
  public void detachAndStopAllAppenders() {
    appenders.detachAndStopAllAppenders();
  }

  @Override
  public boolean detachAppender(Appender<ILoggingEvent> appender) {
    return appenders.detachAppender(appender);
  }

  @Override
  public boolean detachAppender(String name) {
    return appenders.detachAppender(name);
  }
}
